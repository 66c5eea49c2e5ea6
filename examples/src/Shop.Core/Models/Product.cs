namespace Shop.Core.Models;

/// <summary>A catalog item. Plain data: most files in a real code base have no async code at all.</summary>
public sealed class Product
{
    public int Id { get; set; }
    public string Sku { get; set; } = "";
    public string Name { get; set; } = "";
    public string Category { get; set; } = "";
    public decimal Price { get; set; }
    public int Stock { get; set; }
    public bool IsDiscontinued { get; set; }

    public bool IsAvailable => !IsDiscontinued && Stock > 0;

    public override string ToString() => $"{Sku} {Name} ({Price:C})";
}
