using System.Globalization;
using System.Text.RegularExpressions;
using Shop.Core.Models;

namespace Shop.Core.Pricing;

/// <summary>The outcome of a coupon check. Its <c>Result</c> property is not a task.</summary>
public sealed class CouponCheck
{
    public CouponCheck(CouponOutcome result, decimal discount)
    {
        Result = result;
        Discount = discount;
    }

    public CouponOutcome Result { get; }
    public decimal Discount { get; }
}

public enum CouponOutcome
{
    Accepted,
    Malformed,
    Expired,
}

public sealed class PriceCalculator
{
    private static readonly Regex CouponPattern =
        new(@"^(?<kind>PCT|AMT)-(?<value>\d{1,3})$", RegexOptions.Compiled | RegexOptions.CultureInvariant);

    private readonly ISet<string> _expired;

    public PriceCalculator(IEnumerable<string> expiredCoupons)
    {
        _expired = new HashSet<string>(expiredCoupons, StringComparer.OrdinalIgnoreCase);
    }

    public decimal Subtotal(IEnumerable<OrderLine> lines) => lines.Sum(l => l.Amount);

    public CouponCheck CheckCoupon(decimal subtotal, string coupon)
    {
        Match match = CouponPattern.Match(coupon.Trim().ToUpperInvariant());
        if (!match.Success)
        {
            return new CouponCheck(CouponOutcome.Malformed, 0m);
        }

        // asynclint: silent (ASYNC101) — Match.Result(..) expands a replacement pattern; it is not a task
        string normalized = match.Result("${kind}-${value}");
        if (_expired.Contains(normalized))
        {
            return new CouponCheck(CouponOutcome.Expired, 0m);
        }

        decimal value = decimal.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
        decimal discount = match.Groups["kind"].Value == "PCT"
            ? Math.Round(subtotal * Math.Min(value, 100m) / 100m, 2)
            : Math.Min(value, subtotal);
        return new CouponCheck(CouponOutcome.Accepted, discount);
    }

    public decimal Total(IEnumerable<OrderLine> lines, string? coupon)
    {
        decimal subtotal = Subtotal(lines);
        if (string.IsNullOrWhiteSpace(coupon))
        {
            return subtotal;
        }

        CouponCheck check = CheckCoupon(subtotal, coupon);
        // asynclint: silent (ASYNC101) — CouponCheck.Result is a user type's property, not Task<T>.Result
        return check.Result == CouponOutcome.Accepted ? subtotal - check.Discount : subtotal;
    }
}
