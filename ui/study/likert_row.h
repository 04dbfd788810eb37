// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <QFrame>

class QButtonGroup;
class QLabel;

namespace mt::ui {

// Responsibility: one Likert question with five choices 1..5, operable by keyboard alone: when the
// row has focus, keys 1-5 choose (and move focus on to the next row), Left/Right step, Tab moves on.
// Ownership: owns its buttons (Qt parent tree). Thread: GUI only.
class LikertRow : public QFrame {
    Q_OBJECT
public:
    LikertRow(const QString& question, const QString& lowAnchor, const QString& highAnchor, QWidget* parent = nullptr);
    int value() const { return m_value; }  // 0 = not rated
    void setValue(int value);
    void clear() { setValue(0); }

signals:
    void valueChanged(int value);

protected:
    void keyPressEvent(QKeyEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;

private:
    QButtonGroup* m_group = nullptr;
    int m_value = 0;
};

}  // namespace mt::ui
