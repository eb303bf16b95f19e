using Talko.Server.Hosting;
using Talko.Server.Kernel;

var builder = WebApplication.CreateBuilder(args);
builder.AddTalkoServices();

var app = builder.Build();
app.UseTalko();

if (await app.PrepareDatabaseAsync(args))
{
    return;
}

app.Logger.LogInformation("Talko starting: {Mode}", app.Services.GetRequiredService<TalkoMode>());
await app.RunAsync();
