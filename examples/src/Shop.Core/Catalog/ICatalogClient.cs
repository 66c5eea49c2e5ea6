using Shop.Core.Models;

namespace Shop.Core.Catalog;

/// <summary>Talks to the catalog service over HTTP.</summary>
public interface ICatalogClient
{
    Task<IReadOnlyList<Product>> GetProductsAsync(CancellationToken ct = default);

    Task<Product?> GetProductAsync(int id, CancellationToken ct = default);

    Task<int> GetStockAsync(string sku, CancellationToken ct = default);

    Task<IReadOnlyList<Product>> SearchAsync(SearchQuery query, CancellationToken ct = default);
}

public sealed record SearchQuery(string Term, string? Category = null, int Take = 50);
