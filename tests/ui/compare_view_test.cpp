// SPDX-License-Identifier: GPL-3.0-or-later
// The compare view (issue 8) on synthetic grayscale images: window/level set with the mouse on either
// grayscale view applies to both and stays when the edited image changes; the difference heat map keeps
// its colour scale; zoom follows whichever view moves.
#include <catch2/catch.hpp>

#include <algorithm>

#include <QImage>
#include <QTest>

#include "support/qt_app.h"
#include "ui/compare_view.h"
#include "ui/image_view.h"

using mt::test::qtApp;

namespace {

// A horizontal ramp with a bright square: 8-bit gray, so the views window it.
QImage ramp(int offset)
{
    QImage img(64, 64, QImage::Format_Grayscale8);
    for (int y = 0; y < img.height(); ++y) {
        uchar* row = img.scanLine(y);
        for (int x = 0; x < img.width(); ++x) row[x] = static_cast<uchar>(std::min(255, 2 * x + offset));
    }
    for (int y = 20; y < 30; ++y)
        for (int x = 20; x < 30; ++x) img.scanLine(y)[x] = 250;
    return img;
}

// A right-drag (the window/level gesture) across `view`, through mouse events as a user's arrive.
void rightDrag(mt::ui::ImageView* view, QPoint by)
{
    const QPoint from = view->rect().center();
    QTest::mousePress(view, Qt::RightButton, {}, from);
    QTest::mouseMove(view, from + by / 2);
    QTest::mouseMove(view, from + by);
    QTest::mouseRelease(view, Qt::RightButton, {}, from + by);
}

}  // namespace

TEST_CASE("CompareView: window/level set on either grayscale view applies to both and stays for a new edited image", "[ui]")
{
    qtApp();
    mt::ui::CompareView compare;
    compare.resize(960, 420);
    compare.show();
    REQUIRE(QTest::qWaitForWindowExposed(&compare));
    compare.setImages(ramp(0), ramp(30));
    auto* neutral = compare.neutralView();
    auto* edited = compare.editedView();
    auto* difference = compare.differenceView();
    REQUIRE(neutral->isGray());
    REQUIRE(edited->isGray());
    REQUIRE(difference->hasImage());
    CHECK_FALSE(difference->isGray());   // the heat map is colour
    const double center0 = edited->windowCenter(), width0 = edited->windowWidth();
    const QImage neutralShown = neutral->renderedImage();
    const QImage heat = difference->renderedImage();

    // Right-drag on the edited image: left = narrower, down = higher centre; the neutral view follows.
    rightDrag(edited, QPoint(-80, 40));
    CHECK(edited->windowWidth() < width0);
    CHECK(edited->windowCenter() > center0);
    CHECK(neutral->windowWidth() == Approx(edited->windowWidth()));
    CHECK(neutral->windowCenter() == Approx(edited->windowCenter()));
    CHECK(neutral->renderedImage() != neutralShown);

    // And the other way: a drag on the neutral view moves the edited one.
    const double width1 = edited->windowWidth();
    rightDrag(neutral, QPoint(60, -20));
    CHECK(neutral->windowWidth() > width1);
    CHECK(edited->windowWidth() == Approx(neutral->windowWidth()));
    CHECK(edited->windowCenter() == Approx(neutral->windowCenter()));
    const double center2 = edited->windowCenter(), width2 = edited->windowWidth();

    // The heat map keeps its fixed colour scale: a right-drag there windows nothing.
    rightDrag(difference, QPoint(-100, 50));
    CHECK(difference->renderedImage() == heat);
    CHECK(edited->windowWidth() == Approx(width2));
    CHECK(neutral->windowCenter() == Approx(center2));

    // A new edited image of the same size (a slider moved) keeps the window on both views, and zoom
    // and pan still follow whichever view moves.
    compare.setImages(ramp(0), ramp(60));
    CHECK(edited->windowCenter() == Approx(center2));
    CHECK(edited->windowWidth() == Approx(width2));
    CHECK(neutral->windowCenter() == Approx(center2));
    CHECK(neutral->windowWidth() == Approx(width2));
    CHECK(difference->renderedImage() != heat);   // recomputed from the new edited image
    neutral->setZoom(2.5);
    CHECK(edited->zoom() == Approx(2.5));
    CHECK(difference->zoom() == Approx(2.5));

    // R (reset) on one view brings both back to the image's own window.
    edited->setFocus();
    QTest::keyClick(edited, Qt::Key_R);
    CHECK(edited->windowCenter() == Approx(center0));
    CHECK(neutral->windowCenter() == Approx(center0));
    CHECK(neutral->windowWidth() == Approx(width0));
}
