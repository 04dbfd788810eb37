// SPDX-License-Identifier: GPL-3.0-or-later
#include <catch2/catch.hpp>

#include <cmath>

#include "core/phantom/phantom_rng.h"

using mt::phantom::PhantomRng;

TEST_CASE("PhantomRng: same seed and stream give the same sequence", "[phantom][fast]")
{
    PhantomRng a(42, "cxr.anatomy"), b(42, "cxr.anatomy");
    for (int i = 0; i < 100; ++i) REQUIRE(a.next() == b.next());
    PhantomRng c(42, "cxr.anatomy"), d(42, "cxr.nodule"), e(43, "cxr.anatomy");
    const auto x = c.next();
    CHECK(x != d.next());
    CHECK(x != e.next());
}

TEST_CASE("PhantomRng: uniform and Box-Muller normal have the right moments", "[phantom][fast]")
{
    PhantomRng r(7, "moments");
    double su = 0, sn = 0, sn2 = 0;
    const int n = 200000;
    for (int i = 0; i < n; ++i) {
        const double u = r.uniform();
        REQUIRE(u >= 0.0);
        REQUIRE(u < 1.0);
        su += u;
        const double z = r.normal();
        sn += z;
        sn2 += z * z;
    }
    CHECK(su / n == Approx(0.5).margin(0.005));
    CHECK(sn / n == Approx(0.0).margin(0.01));
    CHECK(sn2 / n == Approx(1.0).margin(0.02));
    for (int i = 0; i < 1000; ++i) {
        const int k = r.uniformInt(-2, 3);
        REQUIRE(k >= -2);
        REQUIRE(k <= 3);
    }
}
