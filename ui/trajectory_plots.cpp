// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/trajectory_plots.h"

#include <qcustomplot.h>

namespace mt::ui {

namespace {
QCustomPlot* makePlot(QWidget* parent, const QString& x, const QString& y)
{
    auto* plot = new QCustomPlot(parent);
    plot->xAxis->setLabel(x);
    plot->yAxis->setLabel(y);
    plot->setMinimumHeight(160);
    plot->legend->setVisible(false);  // the probability plot shows its legend in a row of its own
    QFont small = plot->font();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    plot->legend->setFont(small);
    return plot;
}

QString pretty(QString name)
{
    name.replace(QLatin1Char('_'), QLatin1Char(' '));
    return name;
}
}  // namespace

TrajectoryPlots::TrajectoryPlots(QWidget* parent) : QTabWidget(parent)
{
    setObjectName(QStringLiteral("trajectoryPlots"));
    m_prob = makePlot(this, tr("frame (0 = neutral)"), tr("classifier probability"));
    m_prob->setObjectName(QStringLiteral("probabilityPlot"));
    m_prob->legend->setFillOrder(QCPLegend::foColumnsFirst);
    m_prob->legend->setBorderPen(Qt::NoPen);
    m_prob->yAxis->setRange(0, 1);
    m_cursor = new QCPItemStraightLine(m_prob);
    m_cursor->setPen(QPen(QColor(0, 0, 0, 90), 1, Qt::DashLine));
    m_cursor->point1->setCoords(0, 0);
    m_cursor->point2->setCoords(0, 1);
    m_cos = makePlot(this, tr("swap step k (the attribute prompt from step k on)"), tr("cosine with the weakest swap"));
    m_cos->setObjectName(QStringLiteral("cosinePlot"));
    m_var = makePlot(this, tr("direction"), tr("explained variance (%)"));
    m_var->setObjectName(QStringLiteral("variancePlot"));
    addTab(m_prob, tr("Findings along the trajectory"));
    addTab(m_cos, tr("Cosine per swap step"));
    addTab(m_var, tr("PCA explained variance"));
}

void TrajectoryPlots::setProbabilities(const QStringList& findings, const QVector<QVector<double>>& probabilities, int target)
{
    m_prob->clearGraphs();
    static const QColor palette[] = {QColor(31, 119, 180), QColor(44, 160, 44), QColor(148, 103, 189),
                                     QColor(140, 86, 75),  QColor(127, 127, 127), QColor(188, 189, 34)};
    int other = 0;
    for (int f = 0; f < findings.size(); ++f) {
        auto* g = m_prob->addGraph();
        g->setName(f == target ? tr("%1 (target)").arg(pretty(findings[f])) : pretty(findings[f]));
        if (f == target) g->setPen(QPen(QColor(214, 39, 40), 3));
        else g->setPen(QPen(palette[other++ % 6], 1.5));
        for (int frame = 0; frame < probabilities.size(); ++frame)
            if (f < probabilities[frame].size()) g->addData(frame, probabilities[frame][f]);
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 3));
    }
    // With curves, the legend sits in a row of its own above the axes, so it never hides a curve; an
    // empty legend row would squeeze the axes (QCustomPlot sizes a column by its narrowest element).
    auto* layout = m_prob->plotLayout();
    const bool onTop = layout->rowCount() == 2;
    if (!findings.isEmpty() && !onTop) {
        m_prob->axisRect()->insetLayout()->take(m_prob->legend);
        layout->insertRow(0);
        layout->addElement(0, 0, m_prob->legend);
        layout->setRowStretchFactor(0, 0.001);
    } else if (findings.isEmpty() && onTop) {
        layout->take(m_prob->legend);
        layout->simplify();
        m_prob->axisRect()->insetLayout()->addElement(m_prob->legend, Qt::AlignRight | Qt::AlignTop);
    }
    m_prob->legend->setVisible(!findings.isEmpty());
    m_prob->xAxis->setRange(0, std::max(1, static_cast<int>(probabilities.size()) - 1));
    m_prob->yAxis->setRange(0, 1);
    m_prob->replot(QCustomPlot::rpQueuedReplot);
}

void TrajectoryPlots::setCurrentFrame(int frame)
{
    m_cursor->point1->setCoords(frame, 0);
    m_cursor->point2->setCoords(frame, 1);
    m_prob->replot(QCustomPlot::rpQueuedReplot);
}

void TrajectoryPlots::setCosines(const QVector<int>& swaps, const QVector<double>& cosines)
{
    m_cos->clearGraphs();
    auto* g = m_cos->addGraph();
    g->setPen(QPen(QColor(31, 119, 180), 2));
    g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 6));
    for (int i = 0; i < std::min(swaps.size(), cosines.size()); ++i)
        if (std::isfinite(cosines[i])) g->addData(swaps[i], cosines[i]);
    m_cos->rescaleAxes();
    m_cos->xAxis->setRangeReversed(true);  // weakest edit (largest k) on the left, as the paper plots
    m_cos->yAxis->setRange(std::min(0.0, m_cos->yAxis->range().lower), 1.05);
    m_cos->replot(QCustomPlot::rpQueuedReplot);
}

void TrajectoryPlots::setExplainedVariance(const QStringList& names, const QVector<double>& ratios)
{
    m_var->clearPlottables();
    if (names.isEmpty()) {
        m_var->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    auto* bars = new QCPBars(m_var->xAxis, m_var->yAxis);
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    for (int i = 0; i < names.size(); ++i) {
        bars->addData(i + 1, 100.0 * ratios.value(i));
        ticker->addTick(i + 1, names[i]);
    }
    bars->setBrush(QColor(31, 119, 180, 160));
    m_var->xAxis->setTicker(ticker);
    m_var->xAxis->setRange(0.3, names.size() + 0.7);
    m_var->yAxis->setRange(0, std::max(5.0, 100.0 * *std::max_element(ratios.begin(), ratios.end()) * 1.15));
    m_var->replot(QCustomPlot::rpQueuedReplot);
}

}  // namespace mt::ui
