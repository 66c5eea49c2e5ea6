using Microsoft.EntityFrameworkCore;
using Shop.Core.Messaging;
using Shop.Core.Models;
using Shop.Web.Data;

namespace Shop.Web.Services;

public sealed record CartLine(string Sku, int Quantity);

public sealed record CheckoutRequest(string CustomerEmail, List<CartLine> Lines);

public interface IOrderService
{
    Task<Order> PlaceOrderAsync(CheckoutRequest request, CancellationToken ct);

    Order? Find(int id);

    Task<IReadOnlyList<Order>> RecentAsync(int count, CancellationToken ct);

    void Cancel(int orderId);
}

public sealed class OrderService : IOrderService
{
    private readonly ShopDbContext _db;
    private readonly IDbContextFactory<ShopDbContext> _dbFactory;
    private readonly EventBus _bus;
    private readonly IEmailSender _email;
    private readonly ILogger<OrderService> _logger;

    public OrderService(
        ShopDbContext db,
        IDbContextFactory<ShopDbContext> dbFactory,
        EventBus bus,
        IEmailSender email,
        ILogger<OrderService> logger)
    {
        _db = db;
        _dbFactory = dbFactory;
        _bus = bus;
        _email = email;
        _logger = logger;
    }

    public async Task<Order> PlaceOrderAsync(CheckoutRequest request, CancellationToken ct)
    {
        var skus = request.Lines.Select(l => l.Sku).Distinct().ToList(); // asynclint: silent (ASYNC102) — LINQ-to-objects on a List<T>
        var products = await _db.Products
            .Where(p => skus.Contains(p.Sku))
            .ToDictionaryAsync(p => p.Sku, ct);

        var order = new Order
        {
            CustomerEmail = request.CustomerEmail,
            PlacedAt = DateTimeOffset.UtcNow,
            Status = OrderStatus.Pending,
        };
        foreach (var line in request.Lines)
        {
            if (!products.TryGetValue(line.Sku, out var product) || product.Stock < line.Quantity)
            {
                throw new InvalidOperationException($"{line.Sku} is not available in that quantity.");
            }

            product.Stock -= line.Quantity;
            order.Lines.Add(new OrderLine { Sku = line.Sku, Quantity = line.Quantity, UnitPrice = product.Price });
        }

        order.Total = order.Lines.Sum(l => l.Amount); // asynclint: silent (ASYNC102) — Sum over the order's own List<OrderLine>
        _db.Orders.Add(order); // asynclint: silent (ASYNC102) — DbSet.Add has no real async counterpart
        await _db.SaveChangesAsync(ct);

        _email.SendOrderConfirmationAsync(order, ct); // asynclint: ASYNC203 — the task is dropped, a failed e-mail goes unnoticed
        _ = _bus.PublishAsync("orders.placed", order.Id.ToString(), CancellationToken.None); // asynclint: ASYNC204 — an explicit discard (info; not ASYNC203); currently missed
        _logger.LogInformation("Order {OrderId} placed for {Customer}", order.Id, order.CustomerEmail);
        return order;
    }

    public Order? Find(int id)
    {
        return _db.Orders.Include(o => o.Lines).FirstOrDefault(o => o.Id == id); // asynclint: silent (ASYNC102) — sync EF in a sync method
    }

    public async Task<IReadOnlyList<Order>> RecentAsync(int count, CancellationToken ct) // asynclint: ASYNC205 — no await
    {
        return _db.Orders.OrderByDescending(o => o.PlacedAt).Take(count).ToList(); // asynclint: ASYNC102 — ToListAsync
    }

    public async Task<decimal> RevenueAsync(DateOnly day, CancellationToken ct)
    {
        // A context of its own, so the report can run next to the request's queries.
        await using var reports = _dbFactory.CreateDbContext(); // asynclint: silent (ASYNC102) — CreateDbContext is not a blocking call
        var from = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var to = from.AddDays(1);
        return await reports.Orders
            .Where(o => o.PlacedAt >= from && o.PlacedAt < to && o.Status != OrderStatus.Cancelled)
            .SumAsync(o => o.Total, ct);
    }

    /// <summary>The synchronous interface member, kept for the admin tool.</summary>
    public void Cancel(int orderId)
    {
        CancelAsync(orderId, CancellationToken.None).Wait(); // asynclint: ASYNC101 — sync over async
    }

    public async Task CancelAsync(int orderId, CancellationToken ct)
    {
        var order = await _db.Orders.SingleOrDefaultAsync(o => o.Id == orderId, ct)
            ?? throw new KeyNotFoundException($"order {orderId}");
        if (!order.CanBeCancelled)
        {
            throw new InvalidOperationException($"order {orderId} is {order.Status}");
        }

        order.Status = OrderStatus.Cancelled;
        await _db.SaveChangesAsync(ct);
        await _bus.PublishAsync("orders.cancelled", orderId.ToString(), ct);
    }

    public async void NotifyShipped(int orderId) // asynclint: ASYNC201 — async void, not an event handler
    {
        var order = await _db.Orders.FindAsync(orderId);
        if (order is null)
        {
            return;
        }

        order.Status = OrderStatus.Shipped;
        await _db.SaveChangesAsync();
        await _email.SendShippedAsync(order);
    }
}
