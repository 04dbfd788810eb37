// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/study/likert_row.h"

#include <QButtonGroup>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace mt::ui {

LikertRow::LikertRow(const QString& question, const QString& lowAnchor, const QString& highAnchor, QWidget* parent)
    : QFrame(parent)
{
    setObjectName(QStringLiteral("likertRow"));
    setFocusPolicy(Qt::StrongFocus);
    // The focused row must be obvious: the digit keys act on it.
    setStyleSheet(QStringLiteral("QFrame#likertRow { border: 2px solid transparent; border-radius: 6px; }"
                                 "QFrame#likertRow:focus { border: 2px solid #2a7ae2; background: #eef4fd; }"
                                 "QPushButton:checked { background: #2a7ae2; color: white; font-weight: bold;"
                                 " border: 1px solid #1b5bb0; border-radius: 4px; }"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 6, 8, 6);
    auto* title = new QLabel(question, this);
    title->setWordWrap(true);
    QFont f = title->font();
    f.setBold(true);
    title->setFont(f);
    layout->addWidget(title);
    auto* row = new QHBoxLayout;
    auto* low = new QLabel(lowAnchor, this);
    low->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    low->setMinimumWidth(150);
    row->addWidget(low, 1);
    m_group = new QButtonGroup(this);
    m_group->setExclusive(true);
    for (int v = 1; v <= 5; ++v) {
        auto* b = new QPushButton(QString::number(v), this);
        b->setCheckable(true);
        b->setFocusPolicy(Qt::NoFocus);  // Tab moves between rows, not between 15 buttons
        b->setFixedSize(40, 32);
        m_group->addButton(b, v);
        row->addWidget(b);
    }
    auto* high = new QLabel(highAnchor, this);
    high->setMinimumWidth(150);
    row->addWidget(high, 1);
    layout->addLayout(row);
    connect(m_group, &QButtonGroup::idClicked, this, [this](int id) {
        setFocus(Qt::MouseFocusReason);
        setValue(id);
    });
}

void LikertRow::setValue(int value)
{
    if (value < 0 || value > 5) return;
    if (value == 0) {
        // An exclusive group cannot uncheck its last button; lift exclusivity for the reset.
        m_group->setExclusive(false);
        for (auto* b : m_group->buttons()) b->setChecked(false);
        m_group->setExclusive(true);
    } else if (auto* b = m_group->button(value)) {
        b->setChecked(true);
    }
    if (value == m_value) return;
    m_value = value;
    emit valueChanged(value);
}

void LikertRow::keyPressEvent(QKeyEvent* event)
{
    const int key = event->key();
    if (key >= Qt::Key_1 && key <= Qt::Key_5) {
        setValue(key - Qt::Key_0);
        focusNextChild();  // fast rating: 4, 3, 5 rates the three rows in a row
        return;
    }
    if (key == Qt::Key_Left && m_value > 1) return setValue(m_value - 1);
    if (key == Qt::Key_Right && m_value < 5) return setValue(m_value == 0 ? 1 : m_value + 1);
    if (key == Qt::Key_Down) {
        focusNextChild();
        return;
    }
    if (key == Qt::Key_Up) {
        focusPreviousChild();
        return;
    }
    QFrame::keyPressEvent(event);  // Return/Enter go up to the window (submit)
}

void LikertRow::mousePressEvent(QMouseEvent* event)
{
    setFocus(Qt::MouseFocusReason);
    QFrame::mousePressEvent(event);
}

}  // namespace mt::ui
