namespace Talko.Tests.Server.Features.Notifications.Fakes;

/// <summary>A scripted error answer: status, the service's reason or error code, an optional Retry-After in seconds.</summary>
public sealed record FakeAnswer(int Status, string Reason, int? RetryAfterSeconds = null);
