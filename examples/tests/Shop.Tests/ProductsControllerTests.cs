using Microsoft.AspNetCore.Mvc;
using Shop.Web.Controllers;
using Xunit;

namespace Shop.Tests;

public sealed class ProductsControllerTests
{
    [Fact]
    public async Task Get_returns_not_found_for_an_unknown_id()
    {
        await using var db = TestDb.Create();
        var controller = new ProductsController(db, new FakeCatalogClient());

        var response = await controller.Get(42);

        Assert.IsType<NotFoundResult>(response.Result); // asynclint: silent (ASYNC101) — ActionResult<T>.Result
    }

    [Fact]
    public async void LowStock_lists_products_below_the_threshold() // asynclint: ASYNC201 — an async void test: return Task (xUnit v3 rejects async void tests)
    {
        await using var db = TestDb.Create();
        var controller = new ProductsController(db, new FakeCatalogClient());

        var response = await controller.LowStock(threshold: 3);

        var rows = Assert.IsType<List<ProductDto>>(response.Value);
        Assert.Single(rows);
    }

    [Fact]
    public async Task Fake_catalog_returns_the_seeded_products() // asynclint: ASYNC205 — no await
    {
        var catalog = new FakeCatalogClient();

        var all = catalog.GetProductsAsync().Result; // asynclint: ASYNC101 — in an async method: use await

        Assert.Equal(3, all.Count);
    }

    [Fact]
    public async Task Fake_catalog_knows_the_stock()
    {
        var catalog = new FakeCatalogClient();
        Task<int> lookup = catalog.GetStockAsync("A-100");

        await lookup;

        Assert.Equal(4, lookup.Result); // asynclint: silent (ASYNC101) — awaited on the line above
    }

    [Fact]
    public void Stock_lookups_run_side_by_side()
    {
        var catalog = new FakeCatalogClient();
        Task<int> kettle = catalog.GetStockAsync("A-100");
        Task<int> teapot = catalog.GetStockAsync("C-300");

        Task.WaitAll(kettle, teapot); // asynclint: ASYNC101 — Task.WaitAll blocks

        Assert.Equal(16, kettle.Result + teapot.Result); // asynclint: silent (ASYNC101) — the WaitAll above is the one finding
    }
}
