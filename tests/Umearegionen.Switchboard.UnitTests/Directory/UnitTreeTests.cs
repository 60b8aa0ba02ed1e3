using Umearegionen.Switchboard.Directory;
using Node = Umearegionen.Switchboard.Directory.UnitTree.Node;

namespace Umearegionen.Switchboard.UnitTests.Directory;

public sealed class UnitTreeTests
{
    private static bool NoneExist(string key) => false;

    [Fact]
    public void EveryParentComesBeforeItsChildrenWhateverTheFileOrder()
    {
        Node[] nodes = [new("c", "b"), new("b", "a"), new("a", null), new("x", "existing")];

        var order = UnitTree.Order(nodes, k => k == "existing");

        Assert.Equal([2, 3, 1, 0], order.ParentsFirst);
        Assert.Empty(order.Cycles);
        Assert.Empty(order.UnknownParent);
    }

    [Fact]
    public void ADeepChainIsOrderedParentsFirst()
    {
        // Listed leaf first, the worst order for a search that places one unit per pass.
        const int Depth = 16_000;
        var nodes = Enumerable.Range(0, Depth).Select(i => new Node($"u{i}", i == Depth - 1 ? null : $"u{i + 1}")).ToArray();

        var order = UnitTree.Order(nodes, NoneExist);

        Assert.Equal(Enumerable.Range(0, Depth).Reverse(), order.ParentsFirst);
    }

    [Fact]
    public void AUnitThatIsItsOwnParentIsACycleOfOne()
    {
        var order = UnitTree.Order([new("a", null), new("b", "b")], NoneExist);

        Assert.Equal([0], order.ParentsFirst);
        Assert.Equal([1], Assert.Single(order.Cycles));
    }

    [Fact]
    public void TwoUnitsParentingEachOtherAreACycleOfTwoAndTheirSubUnitsHangBelowIt()
    {
        var order = UnitTree.Order([new("a", "b"), new("b", "a"), new("c", "a"), new("d", "c")], NoneExist);

        Assert.Equal([0, 1], Assert.Single(order.Cycles).Order());
        Assert.Equal([(2, 0), (3, 0)], order.UnderCycle.OrderBy(u => u.Unit));
        Assert.Empty(order.ParentsFirst);
    }

    [Fact]
    public void ADeepCycleIsFoundWhole()
    {
        const int Length = 16_000;
        var nodes = Enumerable.Range(0, Length).Select(i => new Node($"u{i}", $"u{(i + 1) % Length}")).Append(new Node("ok", null)).ToArray();

        var order = UnitTree.Order(nodes, NoneExist);

        Assert.Equal(Length, Assert.Single(order.Cycles).Count);
        Assert.Equal([Length], order.ParentsFirst);
        Assert.Empty(order.UnderCycle);
    }

    [Fact]
    public void AnUnknownParentIsReportedOnceAndItsSubUnitsAreStillPlaced()
    {
        var order = UnitTree.Order([new("a", "missing"), new("b", "a")], NoneExist);

        Assert.Equal([0], order.UnknownParent);
        Assert.Equal([0, 1], order.ParentsFirst);
        Assert.Empty(order.Cycles);
    }
}
