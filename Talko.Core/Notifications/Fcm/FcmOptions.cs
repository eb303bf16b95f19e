using System.Text.Json;

namespace Talko.Core.Notifications.Fcm;

/// <summary>
/// FCM HTTP v1 settings (Talko:Notifications:Fcm): a Google service account, either as the JSON key file
/// Google issues (<see cref="ServiceAccountFile"/> or <see cref="ServiceAccountJson"/>) or as its fields.
/// </summary>
public sealed class FcmOptions
{
    public const string MessagingScope = "https://www.googleapis.com/auth/firebase.messaging";

    public Uri BaseUrl { get; set; } = new("https://fcm.googleapis.com");

    /// <summary>
    /// The OAuth 2.0 token endpoint; the key file's token_uri when not set. Google.Apis.Auth signs its assertion
    /// for this address and posts to it, so a test or a private gateway can stand in for Google's.
    /// </summary>
    public Uri? TokenUrl { get; set; }

    public string? ServiceAccountFile { get; set; }

    public string? ServiceAccountJson { get; set; }

    public string ProjectId { get; set; } = "";

    public string ClientEmail { get; set; } = "";

    public string? PrivateKeyId { get; set; }

    /// <summary>The service account's RSA key, PEM (PKCS#8).</summary>
    public string? PrivateKey { get; set; }

    /// <summary>Android time to live when the message has no expiry.</summary>
    public TimeSpan DefaultTimeToLive { get; set; } = TimeSpan.FromDays(1);

    public bool IsConfigured =>
        !string.IsNullOrWhiteSpace(ServiceAccountFile) || !string.IsNullOrWhiteSpace(ServiceAccountJson) ||
        (ProjectId.Length > 0 && ClientEmail.Length > 0 && !string.IsNullOrWhiteSpace(PrivateKey));

    /// <summary>The effective account: the key file's fields, overridden by any set explicitly.</summary>
    public GoogleServiceAccount ResolveAccount()
    {
        var json = ServiceAccountJson ?? (ServiceAccountFile is { Length: > 0 } path ? File.ReadAllText(path) : null);
        string? Field(JsonElement root, string name) => root.TryGetProperty(name, out var value) ? value.GetString() : null;
        string? fileProject = null, fileEmail = null, fileKeyId = null, fileKey = null, fileTokenUri = null;
        if (json is not null)
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            fileProject = Field(root, "project_id");
            fileEmail = Field(root, "client_email");
            fileKeyId = Field(root, "private_key_id");
            fileKey = Field(root, "private_key");
            fileTokenUri = Field(root, "token_uri");
        }

        return new GoogleServiceAccount(
            ProjectId is { Length: > 0 } ? ProjectId : fileProject ?? throw Missing("project_id"),
            ClientEmail is { Length: > 0 } ? ClientEmail : fileEmail ?? throw Missing("client_email"),
            PrivateKeyId ?? fileKeyId,
            PrivateKey ?? fileKey ?? throw Missing("private_key"),
            TokenUrl ?? new Uri(fileTokenUri ?? "https://oauth2.googleapis.com/token"));
    }

    private static InvalidOperationException Missing(string field) =>
        new($"Talko:Notifications:Fcm has no {field}: set it or give the service account key file.");
}

/// <summary>The parts of a Google service account key that the JWT bearer grant (and the FCM URL) need.</summary>
public sealed record GoogleServiceAccount(string ProjectId, string ClientEmail, string? PrivateKeyId, string PrivateKeyPem, Uri TokenUrl);
