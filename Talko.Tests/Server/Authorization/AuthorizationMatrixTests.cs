using Talko.Tests.Core.Media.Engine;
using Xunit.Abstractions;

namespace Talko.Tests.Server.Authorization;

// Calls are started by the matrix (their mixers share the CPU), so these run apart from the timing-sensitive media tests.

/// <summary>The matrix on one embedded instance: SQLite and in-process state.</summary>
[Collection(RealtimeMediaCollection.Name)]
public sealed class EmbeddedAuthorizationMatrixTests(EmbeddedAuthorizationWorld fixture, ITestOutputHelper output)
    : AuthorizationMatrixSpecification(fixture, output), IClassFixture<EmbeddedAuthorizationWorld>;

/// <summary>The matrix scaled out: PostgreSQL and Redis.</summary>
[Collection(RealtimeMediaCollection.Name)]
public sealed class ScaledOutAuthorizationMatrixTests(ScaledOutAuthorizationWorld fixture, ITestOutputHelper output)
    : AuthorizationMatrixSpecification(fixture, output), IClassFixture<ScaledOutAuthorizationWorld>;
