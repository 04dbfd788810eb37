// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/series_browser.h"

#include <exception>
#include <string>
#include <vector>

#include <QApplication>
#include <QDate>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QProgressBar>
#include <QStyle>
#include <QTreeWidget>
#include <QTreeWidgetItemIterator>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include "core/dicom/dicom_reader.h"

namespace mt::ui {

namespace {

QString fromStd(const std::string& s)
{
    return QString::fromStdString(s);
}

// DICOM person names separate their components with '^' ("Doe^John").
QString personName(const std::string& name)
{
    return fromStd(name).replace(QLatin1Char('^'), QLatin1Char(' ')).simplified();
}

// DA values are YYYYMMDD; anything else is shown as stored.
QString displayDate(const std::string& da)
{
    const QDate d = QDate::fromString(fromStd(da), QStringLiteral("yyyyMMdd"));
    return d.isValid() ? d.toString(Qt::ISODate) : fromStd(da);
}

// The core's messages name the file by its full path; in the row (which sits under the file's name)
// the name is enough to read the reason. The tooltip keeps the full message.
QString problemText(const dicom::FileError& e)
{
    QString message = fromStd(e.message);
    const QString path = QFile::decodeName(e.path.c_str());
    const QString name = QFileInfo(path).fileName();
    if (!path.isEmpty() && !name.isEmpty()) message.replace(QString::fromStdString(e.path), name);
    return message;
}

}  // namespace

SeriesBrowser::SeriesBrowser(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("seriesBrowser"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    auto* top = new QHBoxLayout;
    m_summary = new QLabel(tr("Open a DICOM folder (File > Open DICOM Folder) or drop a folder, a DICOMDIR or files on the window."), this);
    m_summary->setObjectName(QStringLiteral("seriesSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_busyBar = new QProgressBar(this);
    m_busyBar->setObjectName(QStringLiteral("seriesBusy"));
    m_busyBar->setRange(0, 0);   // indeterminate: the scan does not report progress
    m_busyBar->setMaximumWidth(160);
    m_busyBar->setVisible(false);
    top->addWidget(m_summary, 1);
    top->addWidget(m_busyBar);
    layout->addLayout(top);

    m_tree = new QTreeWidget(this);
    m_tree->setObjectName(QStringLiteral("seriesTree"));
    m_tree->setColumnCount(ColumnCount);
    m_tree->setHeaderLabels({tr("Patient / description"), tr("Date"), tr("Modality"), tr("Instance"), tr("Frames"),
                             tr("Size (rows x columns)"), tr("Transfer syntax"), tr("Problem")});
    m_tree->setUniformRowHeights(true);
    m_tree->setAlternatingRowColors(true);
    m_tree->setSelectionMode(QAbstractItemView::SingleSelection);
    m_tree->header()->setStretchLastSection(true);
    m_tree->setColumnWidth(NameColumn, 300);
    layout->addWidget(m_tree, 1);
    connect(m_tree, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem* item, int) {
        if (item && item->type() == InstanceItem) emit instanceActivated(item->data(NameColumn, kPathRole).toString());
    });
}

QString SeriesBrowser::summaryText() const
{
    return m_summary->text();
}

void SeriesBrowser::scanPath(const QString& path)
{
    const std::string file = QFile::encodeName(path).toStdString();
    start(QDir::toNativeSeparators(path), [file] { return dicom::scan(file); });
}

void SeriesBrowser::scanFiles(const QStringList& paths)
{
    std::vector<std::string> files;
    for (const QString& p : paths) files.push_back(QFile::encodeName(p).toStdString());
    const QString source = paths.size() == 1 ? QDir::toNativeSeparators(paths.front())
                                             : tr("%1 dropped files and folders").arg(paths.size());
    start(source, [files] { return dicom::scanFiles(files); });
}

void SeriesBrowser::start(const QString& source, std::function<dicom::ScanResult()> job)
{
    const std::uint64_t generation = ++m_generation;
    m_source = source;
    setBusy(true);
    m_summary->setText(tr("Scanning %1...").arg(source));
    auto* watcher = new QFutureWatcher<Outcome>(this);
    connect(watcher, &QFutureWatcher<Outcome>::finished, this, [this, watcher, generation] {
        watcher->deleteLater();
        finish(generation, watcher->result());
    });
    // Nothing may cross the thread as an exception (house style 4.7): the job returns a value.
    watcher->setFuture(QtConcurrent::run([job = std::move(job)]() -> Outcome {
        try {
            return {job(), QString()};
        } catch (const std::exception& e) {
            return {dicom::ScanResult(), QString::fromStdString(e.what())};
        } catch (...) {
            return {dicom::ScanResult(), QStringLiteral("unknown error")};
        }
    }));
    emit scanStarted(source);
}

void SeriesBrowser::finish(std::uint64_t generation, const Outcome& outcome)
{
    if (generation != m_generation) return;   // superseded by a newer request
    setBusy(false);
    if (!outcome.error.isEmpty()) {
        m_result = {};
        fill();
        const QString message = tr("Cannot scan %1: %2").arg(m_source, outcome.error);
        m_summary->setText(message);
        emit scanFailed(m_source, message);
        return;
    }
    m_result = outcome.result;
    fill();
    std::size_t series = 0;
    for (const auto& st : m_result.studies) series += st.series.size();
    QString counts = tr("Studies: %1, series: %2, instances: %3, unreadable files: %4")
                         .arg(m_result.studies.size())
                         .arg(series)
                         .arg(m_result.instanceCount())
                         .arg(m_result.errors.size());
    if (m_result.usedDicomDir) counts += QLatin1Char(' ') + tr("(files listed by the DICOMDIR)");
    m_summary->setText(m_source + QLatin1Char('\n') + counts);
    emit scanFinished(m_source, instanceCount(), unreadableCount());
}

void SeriesBrowser::setBusy(bool busy)
{
    m_scanning = busy;
    m_busyBar->setVisible(busy);
}

void SeriesBrowser::fill()
{
    m_tree->clear();
    m_errorBranch = nullptr;
    for (const auto& st : m_result.studies) {
        auto* study = new QTreeWidgetItem(m_tree, StudyItem);
        QString name = personName(st.patientName);
        if (name.isEmpty()) name = tr("(no patient name)");
        if (!st.description.empty()) name += QStringLiteral(" - ") + fromStd(st.description);
        study->setText(NameColumn, name);
        study->setText(DateColumn, displayDate(st.studyDate));
        study->setToolTip(NameColumn, tr("Patient ID: %1\nAccession number: %2\nStudy Instance UID: %3")
                                          .arg(fromStd(st.patientId), fromStd(st.accessionNumber), fromStd(st.studyInstanceUid)));
        for (const auto& se : st.series) {
            auto* series = new QTreeWidgetItem(study, SeriesItem);
            QString label = tr("Series %1").arg(se.seriesNumber);
            if (!se.description.empty()) label += QStringLiteral(": ") + fromStd(se.description);
            series->setText(NameColumn, label);
            series->setText(ModalityColumn, fromStd(se.modality));
            series->setToolTip(NameColumn, tr("Series Instance UID: %1").arg(fromStd(se.seriesInstanceUid)));
            for (const auto& in : se.instances) {
                auto* inst = new QTreeWidgetItem(series, InstanceItem);
                const QString path = QFile::decodeName(in.path.c_str());
                inst->setText(NameColumn, QFileInfo(path).fileName());
                inst->setData(NameColumn, kPathRole, path);
                inst->setData(NameColumn, kFramesRole, in.frames);
                inst->setToolTip(NameColumn, QDir::toNativeSeparators(path));
                inst->setText(ModalityColumn, fromStd(in.modality));
                inst->setText(InstanceColumn, QString::number(in.instanceNumber));
                inst->setText(FramesColumn, QString::number(in.frames));
                inst->setText(SizeColumn, tr("%1 x %2").arg(in.rows).arg(in.columns));
                inst->setText(TransferSyntaxColumn, fromStd(in.transferSyntaxName));
                inst->setToolTip(TransferSyntaxColumn, fromStd(in.transferSyntaxUid));
                for (int c : {InstanceColumn, FramesColumn}) inst->setTextAlignment(c, Qt::AlignRight | Qt::AlignVCenter);
            }
        }
    }
    if (!m_result.errors.empty()) {
        m_errorBranch = new QTreeWidgetItem(m_tree, ErrorGroupItem);
        m_errorBranch->setText(NameColumn, tr("Unreadable files (%1)").arg(m_result.errors.size()));
        m_errorBranch->setIcon(NameColumn, style()->standardIcon(QStyle::SP_MessageBoxWarning));
        for (const auto& e : m_result.errors) {
            auto* item = new QTreeWidgetItem(m_errorBranch, ErrorItem);
            const QString path = QFile::decodeName(e.path.c_str());
            const QString name = QFileInfo(path).fileName();
            item->setText(NameColumn, name.isEmpty() ? QDir::toNativeSeparators(path) : name);
            item->setData(NameColumn, kPathRole, path);
            item->setText(ProblemColumn, problemText(e));
            for (int c = 0; c < ColumnCount; ++c) item->setToolTip(c, fromStd(e.message));
        }
    }
    m_tree->expandAll();
    for (int c = DateColumn; c < ProblemColumn; ++c) m_tree->resizeColumnToContents(c);
}

QTreeWidgetItem* SeriesBrowser::findInstance(const QString& path) const
{
    for (QTreeWidgetItemIterator it(m_tree); *it; ++it)
        if ((*it)->type() == InstanceItem && (*it)->data(NameColumn, kPathRole).toString() == path) return *it;
    return nullptr;
}

}  // namespace mt::ui
