using System.Text;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Shop.Core.Catalog;
using Shop.Core.Models;
using Shop.Web.Data;

namespace Shop.Web.Controllers;

public sealed record ProductDto(int Id, string Sku, string Name, decimal Price, int Stock)
{
    public static ProductDto From(Product p) => new(p.Id, p.Sku, p.Name, p.Price, p.Stock);
}

public sealed record PriceUpdate(decimal Price);

[ApiController]
[Route("api/[controller]")]
public sealed class ProductsController : ControllerBase
{
    private readonly ShopDbContext _db;
    private readonly ICatalogClient _catalog;

    public ProductsController(ShopDbContext db, ICatalogClient catalog)
    {
        _db = db;
        _catalog = catalog;
    }

    [HttpGet]
    public async Task<ActionResult<IEnumerable<ProductDto>>> GetAll([FromQuery] string? category) // asynclint: ASYNC402 — an action that awaits token-taking calls but takes no CancellationToken
    {
        IQueryable<Product> query = _db.Products.AsNoTracking().Where(p => !p.IsDiscontinued);
        if (category is not null)
        {
            query = query.Where(p => p.Category == category);
        }

        List<Product> products = await query.OrderBy(p => p.Name).ToListAsync();
        return products.Select(ProductDto.From).ToList(); // asynclint: silent (ASYNC102) — LINQ-to-objects on a List<T>
    }

    [HttpGet("{id:int}")]
    public async Task<ActionResult<ProductDto>> Get(int id)
    {
        var product = _db.Products.Find(id); // asynclint: ASYNC102 — DbSet.FindAsync
        if (product is null)
        {
            return NotFound();
        }

        int stock = await _catalog.GetStockAsync(product.Sku, HttpContext.RequestAborted);
        return ProductDto.From(product) with { Stock = stock };
    }

    [HttpGet("low-stock")]
    public async Task<ActionResult<List<ProductDto>>> LowStock(int threshold = 5) // asynclint: ASYNC402 — an action that awaits token-taking calls but takes no CancellationToken
    {
        var low = _db.Products.Where(p => p.Stock < threshold).OrderBy(p => p.Stock).ToList(); // asynclint: ASYNC102 — ToListAsync
        var result = new List<ProductDto>();
        foreach (var product in low)
        {
            int live = await _catalog.GetStockAsync(product.Sku);
            result.Add(ProductDto.From(product) with { Stock = live });
        }

        return result;
    }

    [HttpPut("{id:int}/price")]
    public async Task<IActionResult> UpdatePrice(int id, PriceUpdate update) // asynclint: ASYNC402 — an action that awaits token-taking calls but takes no CancellationToken
    {
        var product = await _db.Products.FirstOrDefaultAsync(p => p.Id == id);
        if (product is null)
        {
            return NotFound();
        }

        product.Price = update.Price;
        _db.SaveChanges(); // asynclint: ASYNC102 — SaveChangesAsync
        return NoContent();
    }

    [HttpGet("export")]
    public async Task<IActionResult> Export()
    {
        ActionResult<IEnumerable<ProductDto>> all = await GetAll(category: null);
        if (all.Result is not null) // asynclint: silent (ASYNC101) — ActionResult<T>.Result is an IActionResult, not a task
        {
            return all.Result;
        }

        var csv = new StringBuilder("id,sku,name,price\n");
        foreach (var p in all.Value ?? Enumerable.Empty<ProductDto>())
        {
            csv.Append(p.Id).Append(',').Append(p.Sku).Append(',').Append(p.Name).Append(',').Append(p.Price).Append('\n');
        }

        return File(Encoding.UTF8.GetBytes(csv.ToString()), "text/csv", "products.csv");
    }

    [HttpGet("categories")]
    public async Task<ActionResult<string[]>> Categories() // asynclint: ASYNC402 — an action that awaits token-taking calls but takes no CancellationToken
    {
        var names = await _db.Products.Select(p => p.Category).Distinct().ToListAsync();
        return names.OrderBy(n => n, StringComparer.OrdinalIgnoreCase).ToArray(); // asynclint: silent (ASYNC102) — names is a List<string> in memory
    }
}
