using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Talko.LoadClient;

// Talko.LoadClient --url http://127.0.0.1:8080 [--url ...] --smtp-port 2525 [--users 50] [--per-conversation 5]
//   [--post-interval-ms 1000] [--duration-s 600] [--ready-file path] [--report path]
//   [--calls 0 --legs-per-call 2 --calls-csv path] [--browser-legs 0 --browser-legs-csv path --chromium /usr/bin/chromium]
// Runs until SIGTERM or SIGINT (or the duration), then settles, resyncs and prints the report. With --calls, it
// starts that many calls once the load runs and writes their legs as a sipp injection file before the ready file.
// With --browser-legs, another member joins each of the last that many calls from Talko Web in headless Chromium
// (a WebRTC leg) before the ready file; their call and user ids go to --browser-legs-csv.
var urls = new List<Uri>();
int users = 20, perConversation = 5, postIntervalMs = 1000, smtpPort = 2525, durationSeconds = 600, calls = 0, legsPerCall = 2, browserLegs = 0;
string? readyFile = null, reportFile = null, callsCsv = null, browserLegsCsv = null;
var chromium = Environment.GetEnvironmentVariable("TALKO_CHROMIUM") ?? "/usr/bin/chromium";
for (var i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
    int Int() => int.Parse(Next(), CultureInfo.InvariantCulture);
    switch (args[i])
    {
        case "--url":
            urls.Add(new Uri(Next().TrimEnd('/') + "/"));
            break;
        case "--users":
            users = Int();
            break;
        case "--per-conversation":
            perConversation = Int();
            break;
        case "--post-interval-ms":
            postIntervalMs = Int();
            break;
        case "--smtp-port":
            smtpPort = Int();
            break;
        case "--duration-s":
            durationSeconds = Int();
            break;
        case "--ready-file":
            readyFile = Next();
            break;
        case "--report":
            reportFile = Next();
            break;
        case "--calls":
            calls = Int();
            break;
        case "--legs-per-call":
            legsPerCall = Int();
            break;
        case "--calls-csv":
            callsCsv = Next();
            break;
        case "--browser-legs":
            browserLegs = Int();
            break;
        case "--browser-legs-csv":
            browserLegsCsv = Next();
            break;
        case "--chromium":
            chromium = Next();
            break;
        default:
            Console.Error.WriteLine($"unknown argument {args[i]}");
            return 2;
    }
}

if (urls.Count == 0)
{
    Console.Error.WriteLine("--url is required");
    return 2;
}

if (browserLegs < 0 || browserLegs > calls)
{
    Console.Error.WriteLine("--browser-legs must be between 0 and --calls");
    return 2;
}

var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => { context.Cancel = true; stop.TrySetResult(); });
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stop.TrySetResult(); });

await using var codes = new SmtpCodeSink(smtpPort);
var options = new LoadOptions
{
    Addresses = urls,
    Users = users,
    UsersPerConversation = perConversation,
    PostInterval = TimeSpan.FromMilliseconds(postIntervalMs),
};
void Log(string line) => Console.WriteLine($"[load {DateTimeOffset.UtcNow:HH:mm:ss.fff}] {line}");

await using var run = await LoadRun.StartAsync(options, codes, Log);
Log("load running");
BrowserLegs? browsers = null;
if (calls > 0)
{
    var legs = await run.PlaceCallsAsync(calls, legsPerCall);
    // Whole or not at all: a script starts dialling the legs as soon as the file is there, before the browsers join.
    var callsPath = callsCsv ?? "calls.csv";
    await File.WriteAllTextAsync(callsPath + ".tmp", CallLeg.ToSippCsv(legs));
    File.Move(callsPath + ".tmp", callsPath, overwrite: true);
    Log($"{calls} calls started, {legs.Count} legs in {callsPath}");
    if (browserLegs > 0)
    {
        var participants = BrowserLegs.Choose(run.Users, legs, browserLegs);
        browsers = await BrowserLegs.JoinAsync(urls[0], participants, chromium, TimeSpan.FromSeconds(60));
        await File.WriteAllLinesAsync(browserLegsCsv ?? "browser-legs.csv", participants.Select(p => $"{p.CallId:D};{p.User.UserId:D}"));
        Log($"{participants.Count - browsers.FailedJoins.Count} of {participants.Count} browsers joined calls from Talko Web (WebRTC legs), listed in {browserLegsCsv ?? "browser-legs.csv"}");
        foreach (var failed in browsers.FailedJoins)
        {
            Log($"browser join failed: {failed}");
        }
        if (Environment.GetEnvironmentVariable("TALKO_LOAD_PROFILE_PAGE") is { Length: > 0 } profile)
        {
            await Task.Delay(TimeSpan.FromSeconds(10));
            await browsers.ProfileAsync(TimeSpan.FromSeconds(10), profile);
            Log($"profiled the first browser page for 10 s into {profile}");
        }
    }
}

if (readyFile is not null)
{
    await File.WriteAllTextAsync(readyFile, DateTimeOffset.UtcNow.ToString("O"));
}

await stop.Task.WaitAsync(TimeSpan.FromSeconds(durationSeconds)).ContinueWith(_ => { });
var browserLines = new List<string>();
if (browsers is not null)
{
    browserLines.AddRange(browsers.FailedJoins.Select(failed => $"  browser join failed: {failed}"));
    browserLines.AddRange((await browsers.DescribeAsync()).Select(line => $"  browser {line}"));
    browserLines.AddRange(browsers.Errors.Select(error => $"  browser error: {error}"));
    Log($"closing the browsers ({browsers.Errors.Count} page errors)");
    await browsers.DisposeAsync();
}

Log("stopping: settling and resyncing");
var report = await run.StopAsync();
Console.Write(report.ToText());
browserLines.ForEach(Console.WriteLine);
foreach (var (why, count) in run.Counters.Failures.OrderByDescending(f => f.Value))
{
    Console.WriteLine($"  failure: {why} x{count}");
}

if (reportFile is not null)
{
    await File.WriteAllTextAsync(reportFile, JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
}

return 0;
