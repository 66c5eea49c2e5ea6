using Microsoft.EntityFrameworkCore;
using Shop.Core.Catalog;
using Shop.Core.Messaging;
using Shop.Core.Models;
using Shop.Web.Data;

namespace Shop.Tests;

internal sealed class FakeCatalogClient : ICatalogClient
{
    private readonly List<Product> _products =
    [
        new Product { Id = 1, Sku = "A-100", Name = "Kettle", Price = 39.90m, Stock = 4 },
        new Product { Id = 2, Sku = "B-200", Name = "Toaster", Price = 24.50m, Stock = 0 },
        new Product { Id = 3, Sku = "C-300", Name = "Teapot", Price = 18.00m, Stock = 12 },
    ];

    public Task<IReadOnlyList<Product>> GetProductsAsync(CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<Product>>(_products);

    public Task<Product?> GetProductAsync(int id, CancellationToken ct = default) =>
        Task.FromResult(_products.FirstOrDefault(p => p.Id == id));

    public Task<int> GetStockAsync(string sku, CancellationToken ct = default) =>
        Task.FromResult(_products.FirstOrDefault(p => p.Sku == sku)?.Stock ?? 0);

    public Task<IReadOnlyList<Product>> SearchAsync(SearchQuery query, CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<Product>>(
            _products.Where(p => p.Name.Contains(query.Term, StringComparison.OrdinalIgnoreCase)).ToList());
}

internal sealed class RecordingTransport : IMessageTransport
{
    private readonly ManualResetEventSlim _first = new(false);

    public List<(string Topic, string Payload)> Sent { get; } = new();

    public Task SendAsync(string topic, string payload, CancellationToken ct)
    {
        lock (Sent)
        {
            Sent.Add((topic, payload));
        }

        _first.Set();
        return Task.CompletedTask;
    }

    public bool WaitForFirst(TimeSpan timeout) => _first.Wait(timeout); // asynclint: silent (ASYNC101) — ManualResetEventSlim.Wait is no task
}

internal static class TestDb
{
    public static ShopDbContext Create(string? name = null)
    {
        var options = new DbContextOptionsBuilder<ShopDbContext>()
            .UseInMemoryDatabase(name ?? Guid.NewGuid().ToString())
            .Options;
        var db = new ShopDbContext(options);
        db.Products.AddRange(
            new Product { Id = 1, Sku = "A-100", Name = "Kettle", Price = 39.90m, Stock = 4 },
            new Product { Id = 2, Sku = "B-200", Name = "Toaster", Price = 24.50m, Stock = 2 });
        db.SaveChanges(); // asynclint: silent (ASYNC102) — SaveChanges in a synchronous helper
        return db;
    }
}
