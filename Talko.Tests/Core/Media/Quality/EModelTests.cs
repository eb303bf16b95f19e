using Talko.Core.Media.Quality;

namespace Talko.Tests.Core.Media.Quality;

/// <summary>The simplified G.107 E-model of ADR 0901 against figures worked out by hand from its equations.</summary>
public sealed class EModelTests
{
    [Theory]
    // No loss, no delay: only the default R0 - Is.
    [InlineData(0, 0, 93.2)]
    // Ie,eff = 95 * 10 / (10 + 25.1) = 27.07; Id = 0.024 * 60 = 1.44.
    [InlineData(10, 60, 64.69)]
    // Ie,eff = 95 * 20 / 45.1 = 42.13; Id = 1.44.
    [InlineData(20, 60, 49.63)]
    // Past 177.3 ms the delay costs more: Id = 0.024 * 300 + 0.11 * (300 - 177.3) = 20.70.
    [InlineData(0, 300, 72.50)]
    public void Rating_follows_the_delay_and_loss_impairments(double lossPercent, double delayMs, double expected) =>
        Assert.Equal(expected, EModel.Rating(lossPercent, delayMs), precision: 1);

    [Theory]
    [InlineData(93.2, CallQualityGrade.Excellent)]
    [InlineData(80, CallQualityGrade.Excellent)]
    [InlineData(79.9, CallQualityGrade.Good)]
    [InlineData(70, CallQualityGrade.Good)]
    [InlineData(65, CallQualityGrade.Fair)]
    [InlineData(59.9, CallQualityGrade.Poor)]
    [InlineData(0, CallQualityGrade.Poor)]
    public void Grades_follow_the_G107_bands(double rating, CallQualityGrade grade) => Assert.Equal(grade, EModel.Grade(rating));

    [Fact]
    public void Mean_opinion_score_spans_one_to_four_and_a_half_and_rises_with_R()
    {
        Assert.Equal(1, EModel.MeanOpinionScore(0));
        Assert.Equal(4.5, EModel.MeanOpinionScore(100));
        Assert.Equal(4.41, EModel.MeanOpinionScore(93.2), precision: 2);
        Assert.Equal(2.58, EModel.MeanOpinionScore(50), precision: 2);
        var previous = 0.0;
        for (var r = 0; r <= 100; r += 5)
        {
            var mos = EModel.MeanOpinionScore(r);
            Assert.True(mos >= previous, $"MOS fell at R {r}");
            previous = mos;
        }
    }

    [Fact]
    public void Out_of_range_inputs_are_clamped_not_trusted()
    {
        Assert.Equal(EModel.Rating(100, 0), EModel.Rating(250, 0));
        Assert.Equal(EModel.Rating(0, 0), EModel.Rating(-5, -20));
        Assert.InRange(EModel.Rating(100, 10_000), 0, 100);
    }

    [Fact]
    public void One_way_delay_is_half_the_round_trip_plus_buffering_and_a_frame()
    {
        Assert.Equal(20 + 40, EModel.OneWayDelayMs(null, 40));
        Assert.Equal(100 + 60 + 20, EModel.OneWayDelayMs(200, 60));
    }
}
