namespace Shop.Core.Models;

public enum OrderStatus
{
    Pending,
    Paid,
    Shipped,
    Cancelled,
}

public sealed class Order
{
    public int Id { get; set; }
    public string CustomerEmail { get; set; } = "";
    public DateTimeOffset PlacedAt { get; set; }
    public OrderStatus Status { get; set; }
    public List<OrderLine> Lines { get; set; } = new();
    public decimal Total { get; set; }

    public bool CanBeCancelled => Status is OrderStatus.Pending or OrderStatus.Paid;
}

public sealed class OrderLine
{
    public int Id { get; set; }
    public int OrderId { get; set; }
    public string Sku { get; set; } = "";
    public int Quantity { get; set; }
    public decimal UnitPrice { get; set; }

    public decimal Amount => UnitPrice * Quantity;
}
