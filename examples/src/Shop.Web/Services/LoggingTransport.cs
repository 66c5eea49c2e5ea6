using Shop.Core.Messaging;

namespace Shop.Web.Services;

/// <summary>A development transport that only writes messages to the log.</summary>
public sealed class LoggingTransport : IMessageTransport
{
    private readonly ILogger<LoggingTransport> _logger;

    public LoggingTransport(ILogger<LoggingTransport> logger)
    {
        _logger = logger;
    }

    public Task SendAsync(string topic, string payload, CancellationToken ct)
    {
        _logger.LogInformation("[{Topic}] {Payload}", topic, payload);
        return Task.CompletedTask;
    }
}
