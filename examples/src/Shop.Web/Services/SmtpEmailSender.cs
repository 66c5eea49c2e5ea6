using System.Net.Mail;
using Shop.Core.Models;

namespace Shop.Web.Services;

public interface IEmailSender
{
    Task SendOrderConfirmationAsync(Order order, CancellationToken ct = default);

    Task SendShippedAsync(Order order, CancellationToken ct = default);
}

public sealed class SmtpEmailSender : IEmailSender
{
    private readonly string _host;
    private readonly string _templates;
    private readonly string _from;

    public SmtpEmailSender(IConfiguration configuration, IWebHostEnvironment environment)
    {
        _host = configuration["Smtp:Host"] ?? "localhost";
        _from = configuration["Smtp:From"] ?? "shop@example.com";
        _templates = Path.Combine(environment.ContentRootPath, "EmailTemplates");
    }

    public async Task SendOrderConfirmationAsync(Order order, CancellationToken ct = default)
    {
        string template = await File.ReadAllTextAsync(Path.Combine(_templates, "confirmation.html"), ct);
        using var message = Build(order, "Your order", template);
        using var client = new SmtpClient(_host);
        await client.SendMailAsync(message, ct);
    }

    public async Task SendShippedAsync(Order order, CancellationToken ct = default)
    {
        string template = File.ReadAllText(Path.Combine(_templates, "shipped.html")); // asynclint: ASYNC102 — File.ReadAllTextAsync
        using var message = Build(order, "Your order is on its way", template);
        using var client = new SmtpClient(_host);
        await client.SendMailAsync(message, ct);
    }

    /// <summary>The pre-async code path, used by the nightly digest.</summary>
    public void SendDigest(string to, string body)
    {
        var client = new SmtpClient(_host);
        var message = new MailMessage(_from, to, "Daily digest", body);
        client.SendCompleted += (_, _) =>
        {
            message.Dispose();
            client.Dispose();
        };
        client.SendAsync(message, userToken: null); // asynclint: silent (ASYNC203) — the event-based SmtpClient.SendAsync returns void
    }

    private MailMessage Build(Order order, string subject, string template)
    {
        string body = template
            .Replace("{{order}}", order.Id.ToString())
            .Replace("{{total}}", order.Total.ToString("C"));
        return new MailMessage(_from, order.CustomerEmail, subject, body) { IsBodyHtml = true };
    }
}
