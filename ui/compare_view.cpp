// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/compare_view.h"

#include <QGridLayout>
#include <QLabel>

#include "core/common/error.h"
#include "core/image/image_io.h"
#include "ui/engine_bridge.h"
#include "ui/image_view.h"
#include "ui/number_text.h"

namespace mt::ui {

CompareView::CompareView(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("compareView"));
    auto* grid = new QGridLayout(this);
    grid->setContentsMargins(0, 0, 0, 0);
    const QString titles[3] = {tr("Neutral (reference)"), tr("Edited"), tr("Difference |edited - neutral|")};
    for (int i = 0; i < 3; ++i) {
        m_titles[i] = new QLabel(titles[i], this);
        m_titles[i]->setAlignment(Qt::AlignCenter);
        m_views[i] = new ImageView(this);
        m_views[i]->setMinimumSize(200, 200);
        grid->addWidget(m_titles[i], 0, i);
        grid->addWidget(m_views[i], 1, i);
        grid->setColumnStretch(i, 1);
        connect(m_views[i], &ImageView::viewChanged, this, [this, i] { follow(i); });
        // Window/level links the two grayscale views only: the difference map is a colour map with a
        // fixed scale (0 black ... 64 levels pale yellow), which a window would make unreadable.
        connect(m_views[i], &ImageView::windowChanged, this, [this, i](double c, double w) {
            if (m_syncing) return;
            m_syncing = true;
            for (int j = 0; j < 2; ++j)
                if (j != i) m_views[j]->setWindow(c, w);
            m_syncing = false;
        });
    }
    m_views[0]->setPlaceholderText(tr("No reference yet: generate with every slider at 0, or compute a trajectory."));
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("compareSummary"));
    m_summary->setWordWrap(true);
    grid->addWidget(m_summary, 2, 0, 1, 3);
    grid->setRowStretch(1, 1);
}

void CompareView::follow(int source)
{
    if (m_syncing) return;
    m_syncing = true;
    const auto state = m_views[source]->viewState();
    for (int j = 0; j < 3; ++j)
        if (j != source) m_views[j]->setViewState(state);
    m_syncing = false;
}

void CompareView::setImages(const QImage& neutral, const QImage& edited)
{
    const auto keep = m_views[1]->hasImage() ? m_views[1]->viewState() : ImageView::ViewState{};
    // The window the user set stays when the edited image is replaced by one of the same size (a slider
    // moved), as in the main view; setting it on the edited view carries it to the neutral one.
    const bool keepWindow = m_views[1]->hasImage() && m_views[1]->isGray() && m_views[1]->imageSize() == edited.size();
    const double center = m_views[1]->windowCenter(), width = m_views[1]->windowWidth();
    m_views[0]->setImage(neutral);
    m_views[1]->setImage(edited);
    if (keepWindow) m_views[1]->setWindow(center, width);
    if (neutral.isNull() || edited.isNull() || neutral.size() != edited.size()) {
        m_views[2]->clear();
        m_summary->setText(neutral.isNull() ? tr("No reference image.") : tr("The images differ in size: no difference map."));
        return;
    }
    try {
        const DifferenceMap d = differenceMap(EngineBridge::fromQImage(neutral), EngineBridge::fromQImage(edited));
        m_views[2]->setImage(EngineBridge::toQImage(d.heatmap));
        m_summary->setText(tr("Mean |difference| %1 gray levels, largest %2; %3 % of the pixels changed by more than 8 "
                              "(colour scale: 0 black ... 64 levels or more pale yellow)")
                               .arg(numberText(d.meanAbs, 'f', 2, locale()))
                               .arg(numberText(d.maxAbs, 'f', 0, locale()))
                               .arg(numberText(100.0 * d.changedFraction, 'f', 1, locale())));
    } catch (const Error& e) {
        m_views[2]->clear();
        m_summary->setText(QString::fromStdString(e.what()));
    }
    m_syncing = true;
    for (auto* v : m_views) v->setViewState(keep);
    m_syncing = false;
}

QString CompareView::summaryText() const
{
    return m_summary->text();
}

}  // namespace mt::ui
