using Akka.Hosting;
using SipActors.Hosting;
using SipActors.Sample;

// A worker service with SipActors: accounts from appsettings.json (section "SipActors"), every
// connection:* and session:* event logged, Ctrl+C un-registers every account before the process exits.
var builder = Host.CreateApplicationBuilder(args);

// Registered before AddAkka on purpose: hosted services start in order and stop in reverse, so the
// registrar is up before the accounts connect and still up while they un-register.
builder.Services.AddHostedService<EmbeddedRegistrarService>();
builder.Services.AddHostedService<AccountEventLogger>();
builder.Services.AddHostedService<StatusReporter>();

builder.Services
    .AddSipActorsServices()
    .AddAkka("sipactors-sample", akka => akka
        .ConfigureLoggers(loggers =>
        {
            loggers.ClearLoggers();
            loggers.AddLoggerFactory();
        })
        .WithSipActors());

await builder.Build().RunAsync();
