using System.Net.Http.Json;

namespace Shop.Importer;

internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length != 1)
        {
            Console.Error.WriteLine("usage: shop-import <products.csv>");
            return 2;
        }

        return RunAsync(args[0]).GetAwaiter().GetResult(); // asynclint: ASYNC101 (info) — Main blocks once on its async entry point
    }

    private static async Task<int> RunAsync(string path)
    {
        var baseUrl = Environment.GetEnvironmentVariable("SHOP_API") ?? "http://localhost:5080/";
        using var http = new HttpClient { BaseAddress = new Uri(baseUrl) };
        int imported = 0, failed = 0;
        foreach (var product in new CsvProductReader().Read(path))
        {
            using var response = await http.PostAsJsonAsync("api/products", product);
            if (response.IsSuccessStatusCode)
            {
                imported++;
            }
            else
            {
                failed++;
                Console.Error.WriteLine($"{product.Sku}: {(int)response.StatusCode} {response.ReasonPhrase}"); // asynclint: silent (ASYNC102) — Console.Write* is not flagged
            }
        }

        Console.WriteLine($"{imported} imported, {failed} failed");
        return failed == 0 ? 0 : 1;
    }
}
