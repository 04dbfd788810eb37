// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstdint>
#include <functional>

#include <QString>
#include <QStringList>
#include <QWidget>

#include "core/dicom/dicom_types.h"

class QLabel;
class QProgressBar;
class QTreeWidget;
class QTreeWidgetItem;

namespace mt::ui {

// Responsibility: the DICOM series browser of issue 8: scans a folder (recursively, or through its
// DICOMDIR), a DICOMDIR or a set of dropped files with dicom::scan/scanFiles and lists studies > series >
// instances, plus an "Unreadable files" branch that says why each bad file was refused. Activating an
// instance (double-click, Enter) asks the window to open it.
// Scanning runs on Qt's global thread pool; the result comes back through a QFutureWatcher (a queued
// signal) tagged with the request's generation, so a newer scan supersedes a running one and the stale
// result is dropped (house style 5.2: latest wins).
// Ownership: owns its widgets and the last scan result; a running scan owns its own copy of the input.
// Thread: GUI only (the worker only runs the core scan and returns a value).
class SeriesBrowser : public QWidget {
    Q_OBJECT
public:
    enum Column { NameColumn, DateColumn, ModalityColumn, InstanceColumn, FramesColumn, SizeColumn,
                  TransferSyntaxColumn, ProblemColumn, ColumnCount };
    // QTreeWidgetItem::type() of the rows.
    enum ItemType { StudyItem = 1001, SeriesItem, InstanceItem, ErrorGroupItem, ErrorItem };
    // Instance and error rows: the file's path (QString) in NameColumn under this role.
    static constexpr int kPathRole = Qt::UserRole;
    // Instance rows: the number of frames (int) in NameColumn under this role.
    static constexpr int kFramesRole = Qt::UserRole + 1;

    explicit SeriesBrowser(QWidget* parent = nullptr);

    // Scans a folder, a DICOMDIR or one file off the GUI thread; supersedes a scan still running.
    void scanPath(const QString& path);
    // Scans several files and folders (a drop) into one tree; supersedes a scan still running.
    void scanFiles(const QStringList& paths);

    bool isScanning() const { return m_scanning; }
    // What the last finished (or the running) scan was asked for, as the user would read it.
    QString source() const { return m_source; }
    const dicom::ScanResult& result() const { return m_result; }
    QTreeWidget* tree() const { return m_tree; }
    // The line above the tree: busy text, the counts when done, or why the scan failed.
    QString summaryText() const;
    int instanceCount() const { return static_cast<int>(m_result.instanceCount()); }
    int unreadableCount() const { return static_cast<int>(m_result.errors.size()); }
    // The "Unreadable files" branch, or nullptr when every file was read.
    QTreeWidgetItem* unreadableBranch() const { return m_errorBranch; }
    // The instance row of a file (compared as given by the scan), or nullptr.
    QTreeWidgetItem* findInstance(const QString& path) const;

signals:
    void scanStarted(const QString& source);
    // The tree shows the result of the newest request.
    void scanFinished(const QString& source, int instances, int unreadable);
    // The newest request failed as a whole (e.g. the path does not exist); `message` names the path.
    void scanFailed(const QString& source, const QString& message);
    void instanceActivated(const QString& path);

private:
    struct Outcome {
        dicom::ScanResult result;
        QString error;   // non-empty: the scan failed as a whole
    };
    void start(const QString& source, std::function<dicom::ScanResult()> job);
    void finish(std::uint64_t generation, const Outcome& outcome);
    void fill();
    void setBusy(bool busy);

    QLabel* m_summary = nullptr;
    QProgressBar* m_busyBar = nullptr;
    QTreeWidget* m_tree = nullptr;
    QTreeWidgetItem* m_errorBranch = nullptr;
    std::uint64_t m_generation = 0;   // of the newest request; older results are dropped
    bool m_scanning = false;
    QString m_source;
    dicom::ScanResult m_result;
};

}  // namespace mt::ui
