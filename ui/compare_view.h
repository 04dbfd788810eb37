// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <QImage>
#include <QWidget>

class QLabel;

namespace mt::ui {

class ImageView;

// Responsibility: neutral | edited | difference heat map side by side (issue 8), with zoom and pan
// following whichever view the user moves, window/level shared by the neutral and edited views (the
// heat map keeps its fixed colour scale), and a line of change figures under them.
// Ownership: owns its three views. Thread: GUI only.
class CompareView : public QWidget {
    Q_OBJECT
public:
    explicit CompareView(QWidget* parent = nullptr);

    // The reference (neutral) and the edited image; the heat map is recomputed from both. Images of
    // different sizes show no heat map and say so.
    void setImages(const QImage& neutral, const QImage& edited);
    ImageView* neutralView() const { return m_views[0]; }
    ImageView* editedView() const { return m_views[1]; }
    ImageView* differenceView() const { return m_views[2]; }
    QString summaryText() const;

private:
    void follow(int source);
    ImageView* m_views[3] = {nullptr, nullptr, nullptr};
    QLabel* m_titles[3] = {nullptr, nullptr, nullptr};
    QLabel* m_summary = nullptr;
    bool m_syncing = false;
};

}  // namespace mt::ui
