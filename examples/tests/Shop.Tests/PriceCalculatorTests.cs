using System.Globalization;
using Shop.Core.Models;
using Shop.Core.Pricing;
using Xunit;

namespace Shop.Tests;

public sealed class PriceCalculatorTests
{
    private static readonly OrderLine[] Lines =
    {
        new() { Sku = "A-100", Quantity = 2, UnitPrice = 10m },
        new() { Sku = "C-300", Quantity = 1, UnitPrice = 5m },
    };

    private readonly PriceCalculator _calculator = new(new[] { "PCT-50" });

    [Theory]
    [InlineData(null, "25")]
    [InlineData("PCT-10", "22.5")]
    [InlineData("amt-5", "20")]
    [InlineData("PCT-50", "25")]
    [InlineData("FREE", "25")]
    public void Total_applies_valid_coupons_only(string? coupon, string expected)
    {
        Assert.Equal(decimal.Parse(expected, CultureInfo.InvariantCulture), _calculator.Total(Lines, coupon));
    }

    [Fact]
    public void Expired_coupons_are_reported()
    {
        var check = _calculator.CheckCoupon(25m, "pct-50");

        Assert.Equal(CouponOutcome.Expired, check.Result); // asynclint: silent (ASYNC101) — a user type's Result property
    }
}
