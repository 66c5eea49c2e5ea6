using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Shop.Core.Models;

namespace Shop.Web.Data;

public static class SeedData
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static async Task ApplyAsync(ShopDbContext db, string json, CancellationToken ct = default)
    {
        if (await db.Products.AnyAsync(ct))
        {
            return;
        }

        var products = JsonSerializer.Deserialize<List<Product>>(json, Options) ?? new List<Product>();
        db.Products.AddRange(products); // asynclint: silent (ASYNC102) — DbSet.AddRange has no real async counterpart
        await db.SaveChangesAsync(ct);
    }
}
