using System.Net.Http.Json;
using Shop.Core.Models;

namespace Shop.Core.Catalog;

public sealed class CatalogClient : ICatalogClient
{
    private readonly HttpClient _http;
    private Task<IReadOnlyList<Product>>? _warmup;

    public CatalogClient(HttpClient http)
    {
        _http = http;
    }

    public async Task<IReadOnlyList<Product>> GetProductsAsync(CancellationToken ct = default)
    {
        var products = await _http.GetFromJsonAsync<List<Product>>("api/products", ct).ConfigureAwait(false);
        return products ?? new List<Product>();
    }

    public async Task<Product?> GetProductAsync(int id, CancellationToken ct = default)
    {
        using var response = await _http.GetAsync($"api/products/{id}", ct).ConfigureAwait(false);
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<Product>(ct).ConfigureAwait(false);
    }

    public async Task<int> GetStockAsync(string sku, CancellationToken ct = default)
    {
        var stock = await _http.GetFromJsonAsync<StockLevel>($"api/stock/{Uri.EscapeDataString(sku)}", ct)
            .ConfigureAwait(false);
        return stock?.Available ?? 0;
    }

    public async Task<IReadOnlyList<Product>> SearchAsync(SearchQuery query, CancellationToken ct = default)
    {
        var url = $"api/products/search?term={Uri.EscapeDataString(query.Term)}&take={query.Take}";
        if (query.Category is not null)
        {
            url += $"&category={Uri.EscapeDataString(query.Category)}";
        }

        var found = await _http.GetFromJsonAsync<List<Product>>(url, ct).ConfigureAwait(false);
        return found ?? new List<Product>();
    }

    // ---- synchronous API, kept for the nightly report generator ---------------------------

    public Product? GetProduct(int id)
    {
        return GetProductAsync(id).Result; // asynclint: ASYNC101 — sync over async
    }

    public int GetStock(string sku) => GetStockAsync(sku).GetAwaiter().GetResult(); // asynclint: ASYNC101 — sync over async

    /// <summary>Convenience overload; not a counterpart of SearchAsync(SearchQuery, ..).</summary>
    public IReadOnlyList<Product> Search(string term) => SearchAsync(new SearchQuery(term)).Result; // asynclint: ASYNC101 — sync over async

    // ---- composed calls ---------------------------------------------------------------------

    public async Task<decimal> GetPriceAsync(int id, CancellationToken ct = default)
    {
        var product = GetProduct(id); // asynclint: ASYNC102 — this type declares GetProductAsync(int, CancellationToken = default)
        await Task.Yield();
        return product?.Price ?? 0m;
    }

    public async Task<IReadOnlyList<Product>> SuggestAsync(string term, CancellationToken ct = default)
    {
        var hits = Search(term); // asynclint: silent (ASYNC102) — SearchAsync takes a SearchQuery, not a string: no counterpart
        if (hits.Count > 0)
        {
            return hits;
        }

        return await SearchAsync(new SearchQuery(term.TrimEnd('s')), ct).ConfigureAwait(false);
    }

    public async Task<(Product? Product, int Stock)> GetProductWithStockAsync(int id, string sku, CancellationToken ct = default)
    {
        Task<Product?> productTask = GetProductAsync(id, ct);
        Task<int> stockTask = GetStockAsync(sku, ct);
        await Task.WhenAll(productTask, stockTask).ConfigureAwait(false);
        return (productTask.Result, stockTask.Result); // asynclint: silent (ASYNC101) — both tasks completed in the WhenAll above
    }

    /// <summary>Hedged read: when the first answer is slow, ask again and take whichever comes first.</summary>
    public async Task<int> GetStockHedgedAsync(string sku, CancellationToken ct = default)
    {
        Task<int> first = GetStockAsync(sku, ct);
        if (await Task.WhenAny(first, Task.Delay(200, ct)).ConfigureAwait(false) == first)
        {
            return await first.ConfigureAwait(false);
        }

        Task<int> second = GetStockAsync(sku, ct);
        Task<int> winner = await Task.WhenAny(first, second).ConfigureAwait(false);
        return winner.Result; // asynclint: silent (ASYNC101) — the task `await Task.WhenAny(..)` returns has completed
    }

    public async Task<int> GetTotalStockAsync(IEnumerable<string> skus, CancellationToken ct = default)
    {
        Task<int>[] lookups = skus.Select(sku => GetStockAsync(sku, ct)).ToArray(); // asynclint: silent (ASYNC102) — LINQ-to-objects, the selector is not async
        await Task.WhenAll(lookups).ConfigureAwait(false);
        int total = 0;
        for (int i = 0; i < lookups.Length; i++)
        {
            total += lookups[i].Result; // asynclint: silent (ASYNC101) — the array was awaited with Task.WhenAll
        }

        return total;
    }

    public Task<int> CountAvailableAsync(CancellationToken ct = default)
    {
        return GetProductsAsync(ct).ContinueWith(
            previous => previous.Result.Count(p => p.IsAvailable), // asynclint: silent (ASYNC101) — the antecedent of ContinueWith is complete
            ct,
            TaskContinuationOptions.OnlyOnRanToCompletion,
            TaskScheduler.Default);
    }

    // ---- warm-up cache ------------------------------------------------------------------------

    public void StartWarmup() => _warmup = GetProductsAsync();

    public IReadOnlyList<Product> CachedOrEmpty()
    {
        var warmup = _warmup;
        if (warmup is { IsCompletedSuccessfully: true })
        {
            return warmup.Result; // asynclint: silent (ASYNC101) — guarded by IsCompletedSuccessfully
        }

        return Array.Empty<Product>();
    }

    public bool TryGetWarmProducts(out IReadOnlyList<Product> products)
    {
        Task<IReadOnlyList<Product>>? warmup = _warmup;
        if (warmup != null && warmup.IsCompleted && !warmup.IsFaulted && !warmup.IsCanceled)
        {
            products = warmup.Result; // asynclint: silent (ASYNC101) — guarded by IsCompleted
            return true;
        }

        products = Array.Empty<Product>();
        return false;
    }

    private sealed record StockLevel(string Sku, int Available);
}
