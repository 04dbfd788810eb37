// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/study/study_summary_widget.h"

#include <QComboBox>
#include <QDir>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>
#include <cmath>
#include <qcustomplot.h>

#include "core/study/export.h"
#include "core/study/manifest.h"
#include "core/study/summary.h"
#include "ui/number_text.h"

namespace mt::ui {

namespace {
// Colour-blind-safe palette (Okabe-Ito) for the conditions.
const QColor kPalette[] = {QColor(0, 114, 178), QColor(230, 159, 0), QColor(0, 158, 115), QColor(204, 121, 167),
                           QColor(86, 180, 233), QColor(213, 94, 0), QColor(240, 228, 66), QColor(0, 0, 0)};

QString number(double v)
{
    return std::isnan(v) ? QStringLiteral("\u2013") : numberText(v, 'f', 3);
}
}  // namespace

StudySummaryWidget::StudySummaryWidget(const QString& studyDir, QWidget* parent)
    : QWidget(parent, Qt::Window), m_studyDir(studyDir)
{
    setObjectName(QStringLiteral("StudySummaryWidget"));
    setWindowTitle(tr("Study Summary - %1").arg(QDir(studyDir).dirName()));
    resize(1000, 820);
    auto* layout = new QVBoxLayout(this);
    m_header = new QLabel(this);
    m_header->setWordWrap(true);
    layout->addWidget(m_header);
    auto* row = new QHBoxLayout;
    row->addWidget(new QLabel(tr("Measure:"), this));
    m_measure = new QComboBox(this);
    m_measure->setObjectName(QStringLiteral("measure"));
    m_measure->addItem(tr("Controllability"), QStringLiteral("controllability"));
    m_measure->addItem(tr("Realism"), QStringLiteral("realism"));
    m_measure->addItem(tr("Anatomy preservation"), QStringLiteral("anatomy"));
    m_measure->addItem(tr("Finding identified (forced choice)"), QString::fromLatin1(study::kChoiceMeasure));
    connect(m_measure, &QComboBox::currentIndexChanged, this, &StudySummaryWidget::plotMeasure);
    row->addWidget(m_measure);
    row->addStretch(1);
    auto* refresh = new QPushButton(tr("Refresh"), this);
    connect(refresh, &QPushButton::clicked, this, &StudySummaryWidget::reload);
    auto* exportButton = new QPushButton(tr("Export CSV and JSON"), this);
    exportButton->setObjectName(QStringLiteral("exportButton"));
    connect(exportButton, &QPushButton::clicked, this, &StudySummaryWidget::exportAnswers);
    row->addWidget(refresh);
    row->addWidget(exportButton);
    layout->addLayout(row);

    m_plot = new QCustomPlot(this);
    m_plot->setObjectName(QStringLiteral("summaryPlot"));
    m_plot->setMinimumHeight(380);
    m_plot->legend->setVisible(true);
    // Whiskers on a layer above the bars, so a neighbouring bar never hides them.
    m_plot->addLayer(QStringLiteral("errors"), m_plot->layer(QStringLiteral("main")), QCustomPlot::limAbove);
    m_plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    layout->addWidget(m_plot, 3);

    auto* agreementTitle = new QLabel(tr("Inter-reader agreement (trials rated by every reader)"), this);
    QFont f = agreementTitle->font();
    f.setBold(true);
    agreementTitle->setFont(f);
    layout->addWidget(agreementTitle);
    m_agreement = new QTableWidget(3, 6, this);
    m_agreement->setObjectName(QStringLiteral("agreementTable"));
    m_agreement->setHorizontalHeaderLabels({tr("Readers"), tr("Trials"), tr("Weighted kappa\n(linear)"),
                                            tr("Weighted kappa\n(quadratic)"), tr("Fleiss' kappa"), tr("ICC(2,1)")});
    m_agreement->setVerticalHeaderLabels({tr("Controllability"), tr("Realism"), tr("Anatomy preservation")});
    m_agreement->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_agreement->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_agreement->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_agreement->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_agreement->setFixedHeight(m_agreement->horizontalHeader()->sizeHint().height()
                                + 3 * (m_agreement->fontMetrics().height() + 12) + 4);
    layout->addWidget(m_agreement);
    auto* note = new QLabel(tr("Bars: mean with 95% confidence interval (Student t; Wilson for the forced choice), "
                               "ratings of all readers pooled. Weighted Cohen's kappa for two readers, Fleiss' kappa "
                               "for three or more; ICC(2,1): two-way random, absolute agreement."),
                            this);
    note->setWordWrap(true);
    note->setStyleSheet(QStringLiteral("color: #5f6b76;"));
    layout->addWidget(note);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("summaryStatus"));
    m_status->setWordWrap(true);
    layout->addWidget(m_status);
    reload();
}

StudySummaryWidget::~StudySummaryWidget() = default;

bool StudySummaryWidget::reload()
{
    try {
        auto m = std::make_unique<study::StudyManifest>(study::loadStudy(m_studyDir.toStdString(), false));
        auto s = std::make_unique<study::StudySummary>(study::summarise(*m, study::collectRows(m_studyDir.toStdString(), *m)));
        m_manifest = std::move(m);
        m_summary = std::move(s);
    } catch (const std::exception& e) {
        m_error = tr("Cannot summarise this study: %1").arg(QString::fromUtf8(e.what()));
        m_status->setText(m_error);
        m_status->setStyleSheet(QStringLiteral("color: #b3261e;"));
        return false;
    }
    m_error.clear();
    m_status->setStyleSheet({});
    m_header->setText(tr("<b>%1</b>: %2 reader(s), %3 answers, %4 stimuli (%5 findings x %6 conditions x starts)")
                          .arg(QString::fromStdString(m_manifest->title).toHtmlEscaped())
                          .arg(m_summary->readers.size())
                          .arg(m_summary->answers)
                          .arg(m_manifest->stimuli.size())
                          .arg(m_manifest->findings.size())
                          .arg(m_manifest->conditions.size()));
    for (int r = 0; r < 3 && r < static_cast<int>(m_summary->agreement.size()); ++r) {
        const auto& a = m_summary->agreement[static_cast<std::size_t>(r)];
        const QStringList cells = {QString::number(a.readers), QString::number(a.trials), number(a.kappaLinear),
                                   number(a.kappaQuadratic),  number(a.fleiss),          number(a.icc)};
        for (int c = 0; c < cells.size(); ++c) {
            auto* item = new QTableWidgetItem(cells[c]);
            item->setTextAlignment(Qt::AlignCenter);
            m_agreement->setItem(r, c, item);
        }
    }
    plotMeasure();
    return true;
}

void StudySummaryWidget::plotMeasure()
{
    m_plot->clearPlottables();
    if (!m_manifest || !m_summary) {
        m_plot->replot();
        return;
    }
    const std::string measure = m_measure->currentData().toString().toStdString();
    const bool proportion = measure == study::kChoiceMeasure;
    const int nFind = static_cast<int>(m_manifest->findings.size());
    const int nCond = static_cast<int>(m_manifest->conditions.size());
    auto* group = new QCPBarsGroup(m_plot);
    group->setSpacingType(QCPBarsGroup::stAbsolute);
    group->setSpacing(2);
    const double width = 0.8 / std::max(1, nCond);
    for (int c = 0; c < nCond; ++c) {
        const auto& cond = m_manifest->conditions[static_cast<std::size_t>(c)];
        auto* bars = new QCPBars(m_plot->xAxis, m_plot->yAxis);
        bars->setName(QString::fromStdString(cond.label));
        bars->setWidth(width);
        bars->setBarsGroup(group);
        const QColor colour = kPalette[c % 8];
        bars->setPen(QPen(colour.darker(130)));
        bars->setBrush(colour);
        auto* errors = new QCPErrorBars(m_plot->xAxis, m_plot->yAxis);
        errors->removeFromLegend();
        errors->setLayer(QStringLiteral("errors"));
        errors->setDataPlottable(bars);
        errors->setPen(QPen(QColor(40, 40, 40), 1.5));
        QVector<double> keys, values;
        QVector<double> minus, plus;
        for (int f = 0; f < nFind; ++f) {
            const auto* cell = m_summary->cell(m_manifest->findings[static_cast<std::size_t>(f)].id, cond.id, measure);
            keys << f + 1;
            const bool has = cell && cell->ci.n > 0;
            values << (has ? cell->ci.mean : 0.0);
            const bool ci = has && !std::isnan(cell->ci.lower);
            minus << (ci ? cell->ci.mean - cell->ci.lower : 0.0);
            plus << (ci ? cell->ci.upper - cell->ci.mean : 0.0);
        }
        bars->setData(keys, values, true);
        errors->setData(minus, plus);
    }
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    for (int f = 0; f < nFind; ++f)
        ticker->addTick(f + 1, QString::fromStdString(m_manifest->findings[static_cast<std::size_t>(f)].label));
    m_plot->xAxis->setTicker(ticker);
    m_plot->xAxis->setRange(0.4, nFind + 0.6);
    m_plot->xAxis->setLabel(tr("Finding"));
    m_plot->yAxis->setLabel(proportion ? tr("Proportion correct (95% CI)") : tr("Mean rating 1-5 (95% CI)"));
    m_plot->yAxis->setRange(0, proportion ? 1.05 : 5.5);
    if (!proportion) {
        QSharedPointer<QCPAxisTickerFixed> y(new QCPAxisTickerFixed);
        y->setTickStep(1.0);
        m_plot->yAxis->setTicker(y);
    } else {
        m_plot->yAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    }
    m_plot->replot();
}

int StudySummaryWidget::barCount() const
{
    int n = 0;
    for (int i = 0; i < m_plot->plottableCount(); ++i)
        if (auto* bars = qobject_cast<QCPBars*>(m_plot->plottable(i))) n += bars->data()->size();
    return n;
}

QString StudySummaryWidget::agreementCell(int row, int column) const
{
    const auto* item = m_agreement->item(row, column);
    return item ? item->text() : QString();
}

QString StudySummaryWidget::exportAnswers()
{
    const QString dir = QDir(m_studyDir).filePath(QStringLiteral("exports"));
    try {
        study::exportStudy(m_studyDir.toStdString(), QDir(dir).filePath(QStringLiteral("answers.csv")).toStdString(),
                           QDir(dir).filePath(QStringLiteral("answers.json")).toStdString());
    } catch (const std::exception& e) {
        m_error = tr("Export failed: %1").arg(QString::fromUtf8(e.what()));
        m_status->setText(m_error);
        return {};
    }
    m_status->setText(tr("Exported the answers to %1 (answers.csv, answers.json).").arg(QDir::toNativeSeparators(dir)));
    return dir;
}

}  // namespace mt::ui
