// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <QString>
#include <QWidget>
#include <memory>

class QComboBox;
class QCustomPlot;
class QLabel;
class QTableWidget;

namespace mt::study {
struct StudyManifest;
struct StudySummary;
}  // namespace mt::study

namespace mt::ui {

// Responsibility: the study summary: a QCustomPlot bar chart of the mean and 95% CI per finding
// (groups) and condition (bars) for the chosen measure, the inter-reader agreement table, and export
// of the answers to CSV and JSON (long format). Reads the answer logs; never writes them.
// Ownership: owns its widgets and a copy of the summary. Thread: GUI only.
class StudySummaryWidget : public QWidget {
    Q_OBJECT
public:
    explicit StudySummaryWidget(const QString& studyDir, QWidget* parent = nullptr);
    ~StudySummaryWidget() override;

    QString errorText() const { return m_error; }
    int barCount() const;                       // bars in the chart (for tests)
    QString agreementCell(int row, int column) const;  // the agreement table's text (for tests)
    // Writes <study>/exports/answers.csv and .json; returns the folder, or empty on failure.
    QString exportAnswers();

public slots:
    bool reload();

private:
    void plotMeasure();

    QString m_studyDir;
    QString m_error;
    std::unique_ptr<study::StudyManifest> m_manifest;
    std::unique_ptr<study::StudySummary> m_summary;
    QLabel* m_header = nullptr;
    QComboBox* m_measure = nullptr;
    QCustomPlot* m_plot = nullptr;
    QTableWidget* m_agreement = nullptr;
    QLabel* m_status = nullptr;
};

}  // namespace mt::ui
