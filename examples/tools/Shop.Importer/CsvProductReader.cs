using System.Globalization;
using Shop.Core.Models;

namespace Shop.Importer;

/// <summary>Reads `sku;name;category;price;stock` lines. Synchronous on purpose: it is an iterator.</summary>
internal sealed class CsvProductReader
{
    public IEnumerable<Product> Read(string path)
    {
        using var reader = new StreamReader(path);
        string? header = reader.ReadLine(); // asynclint: silent (ASYNC102) — a synchronous iterator may block
        if (header is null)
        {
            yield break;
        }

        string? line;
        int number = 1;
        while ((line = reader.ReadLine()) != null)
        {
            number++;
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            string[] cells = line.Split(';');
            if (cells.Length != 5)
            {
                throw new FormatException($"{path}:{number}: expected 5 cells, found {cells.Length}");
            }

            yield return new Product
            {
                Sku = cells[0].Trim(),
                Name = cells[1].Trim(),
                Category = cells[2].Trim(),
                Price = decimal.Parse(cells[3], NumberStyles.Number, CultureInfo.InvariantCulture),
                Stock = int.Parse(cells[4], CultureInfo.InvariantCulture),
            };
        }
    }
}
