using Microsoft.EntityFrameworkCore;
using Shop.Core.Catalog;
using Shop.Core.Messaging;
using Shop.Web.Data;
using Shop.Web.Services;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddControllers();
builder.Services.AddDbContext<ShopDbContext>(options =>
    options.UseSqlServer(builder.Configuration.GetConnectionString("Shop")));
builder.Services.AddDbContextFactory<ShopDbContext>(lifetime: ServiceLifetime.Scoped);
builder.Services.AddHttpClient<ICatalogClient, CatalogClient>(client =>
    client.BaseAddress = new Uri(builder.Configuration["Catalog:BaseUrl"] ?? "http://localhost:5080/"));
builder.Services.AddSingleton<IMessageTransport, LoggingTransport>();
builder.Services.AddSingleton<EventBus>();
builder.Services.AddScoped<IEmailSender, SmtpEmailSender>();
builder.Services.AddScoped<IOrderService, OrderService>();

var app = builder.Build();

app.UseHttpsRedirection();
app.MapControllers();
app.MapGet("/health", () => Results.Ok(new { status = "ok" }));

if (app.Environment.IsDevelopment())
{
    using var scope = app.Services.CreateScope();
    var db = scope.ServiceProvider.GetRequiredService<ShopDbContext>();
    await db.Database.MigrateAsync();
    string seedJson = File.ReadAllText("seed-products.json"); // asynclint: ASYNC102 — top-level statements that await are an async context
    await SeedData.ApplyAsync(db, seedJson);
}

await app.RunAsync();
