package io.loadgen.core.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Shares of one schedule among generators, each split among its lanes, add up to the whole schedule. */
class ArrivalShareTest {
    /** @return the arrival positions (in units) of one lane's process, its first {@code n} */
    private static List<Double> positions(ArrivalProcess p, int n) {
        List<Double> out = new ArrayList<>();
        double at = p.nextGap(true);
        out.add(at);
        for (int i = 1; i < n; i++) {
            at += p.nextGap(false);
            out.add(at);
        }
        return out;
    }

    @Test
    void constantSharesOfGeneratorsAndTheirLanesInterleaveIntoTheWholeEvenSchedule() {
        // three agents of weights 1, 2, 1 (four slices), with 2, 3 and 1 lanes
        List<ArrivalShare> shares = ArrivalShare.split(List.of(1, 2, 1));
        assertEquals(List.of(0), shares.get(0).slices());
        assertEquals(List.of(1, 2), shares.get(1).slices());
        assertEquals(List.of(3), shares.get(2).slices());
        assertEquals(0.5, shares.get(1).fraction(), 0.0);
        int[] lanes = {2, 3, 1};
        List<Double> all = new ArrayList<>();
        for (int a = 0; a < 3; a++) {
            for (int i = 0; i < lanes[a]; i++) {
                // enough of each lane's arrivals to cover units [0, 1200)
                List<Double> p = positions(ArrivalProcess.Arrival.CONSTANT.lane(7, shares.get(a), i, lanes[a]), 1200);
                p.removeIf(x -> x >= 1200);
                all.addAll(p);
            }
        }
        Collections.sort(all);
        assertEquals(1200, all.size(), "every arrival of the whole schedule once");
        for (int e = 0; e < all.size(); e++) {
            assertEquals(e, all.get(e), 1e-9, "arrival " + e + " is at unit " + e);
        }
    }

    @Test
    void theWholeShareIsTheLaneSplitAsBefore() {
        List<Double> whole = positions(ArrivalProcess.Arrival.POISSON.lane(3, ArrivalShare.WHOLE, 1, 2), 50);
        List<Double> before = positions(ArrivalProcess.Arrival.POISSON.lane(3, 1, 2), 50);
        assertEquals(before, whole, "a generator alone keeps its seeds");
    }

    @Test
    void poissonSharesTakeTheirFractionOfTheRateFromSeedsOfTheirOwn() {
        List<ArrivalShare> shares = ArrivalShare.split(List.of(3, 1));
        double[] mean = new double[2];
        List<List<Double>> firsts = new ArrayList<>();
        for (int a = 0; a < 2; a++) {
            List<Double> p = positions(ArrivalProcess.Arrival.POISSON.lane(11, shares.get(a), 0, 2), 40_000);
            mean[a] = p.get(p.size() - 1) / p.size();
            firsts.add(p.subList(0, 5));
        }
        // lane 0 of 2 of a 3/4 share: gaps of mean 2 / 0.75 units; of a 1/4 share: 2 / 0.25
        assertEquals(2 / 0.75, mean[0], 0.05, "mean gap of the 3/4 share's lane");
        assertEquals(2 / 0.25, mean[1], 0.15, "mean gap of the 1/4 share's lane");
        assertTrue(!firsts.get(0).equals(firsts.get(1)), "the shares draw from different seeds");
    }

    @Test
    void badSharesAndWeightsAreRefusedWithWhatIsAllowed() {
        assertThrows(IllegalArgumentException.class, () -> new ArrivalShare(List.of(1, 1), 3));
        assertThrows(IllegalArgumentException.class, () -> new ArrivalShare(List.of(3), 3));
        assertThrows(IllegalArgumentException.class, () -> new ArrivalShare(List.of(), 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ArrivalShare.split(List.of(1, 0)));
        assertTrue(e.getMessage().contains(">= 1"), e.getMessage());
    }
}
