// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <QStringList>
#include <QTabWidget>
#include <QVector>

class QCustomPlot;
class QCPItemStraightLine;

namespace mt::ui {

// Responsibility: the plots of issue 8 with QCustomPlot: every finding's classifier probability along
// the trajectory (the target bold, the others thin), the cosine of each swap's direction with the
// strongest edit per k, and the explained variance of PCA directions. Ownership: owns its plots.
// Thread: GUI only.
class TrajectoryPlots : public QTabWidget {
    Q_OBJECT
public:
    explicit TrajectoryPlots(QWidget* parent = nullptr);

    // probabilities[frame][finding]; rows still empty (frames not decoded yet) are left out.
    void setProbabilities(const QStringList& findings, const QVector<QVector<double>>& probabilities, int target);
    void setCurrentFrame(int frame);
    void setCosines(const QVector<int>& swaps, const QVector<double>& cosines);
    void setExplainedVariance(const QStringList& names, const QVector<double>& ratios);

    QCustomPlot* probabilityPlot() const { return m_prob; }
    QCustomPlot* cosinePlot() const { return m_cos; }
    QCustomPlot* variancePlot() const { return m_var; }

private:
    QCustomPlot* m_prob = nullptr;
    QCustomPlot* m_cos = nullptr;
    QCustomPlot* m_var = nullptr;
    QCPItemStraightLine* m_cursor = nullptr;
};

}  // namespace mt::ui
