// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <QElapsedTimer>
#include <QImage>
#include <QString>
#include <QWidget>
#include <memory>
#include <string>

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QStackedWidget;

namespace mt::study {
class ReadingSession;
}

namespace mt::ui {

class LikertRow;

// Responsibility: a reader's session of a pre-generated study: login by name and ID, one blinded
// trial per page (neutral and edited image side by side, three Likert rows, forced choice, comment),
// progress, and a finished page. Every answer is written to disk when submitted (core ReadingSession);
// a session that was killed resumes at the first unanswered trial on the next login with the same ID.
// Keyboard: 1-5 rate the focused row and move on, Tab/Shift+Tab move, Enter submits.
// Ownership: owns the core session and its widgets. Thread: GUI only.
class ReadingSessionWindow : public QWidget {
    Q_OBJECT
public:
    explicit ReadingSessionWindow(const QString& studyDir, QWidget* parent = nullptr);
    ~ReadingSessionWindow() override;

    // What the Start button does; false (and the reason on the login page) when it fails.
    bool login(const QString& readerId, const QString& readerName);
    bool isLoggedIn() const { return m_session != nullptr; }
    bool isFinished() const;
    int currentPosition() const;      // 0-based; trialCount() when finished
    int trialCount() const;
    QString currentTrialId() const;
    QString errorText() const;        // the last error shown (login page or trial page)
    bool wasResumed() const;

public slots:
    // Records the current trial's answer (needs three ratings); shows the next trial or the end.
    bool submit();

signals:
    void trialShown(int position, int total);
    void answerRecorded(const QString& trialId);
    void sessionFinished();

protected:
    void keyPressEvent(QKeyEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    QWidget* buildLoginPage();
    QWidget* buildTrialPage();
    QWidget* buildDonePage();
    void showCurrentTrial();
    void updateImages();
    void updateSubmitEnabled();
    void showError(const QString& text);

    QString m_studyDir;
    std::unique_ptr<study::ReadingSession> m_session;
    QStackedWidget* m_pages = nullptr;
    // login
    QLabel* m_studyTitle = nullptr;
    QLineEdit* m_readerName = nullptr;
    QLineEdit* m_readerId = nullptr;
    QPushButton* m_start = nullptr;
    QLabel* m_loginError = nullptr;
    // trial
    QLabel* m_progressLabel = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_neutralView = nullptr;
    QLabel* m_editedView = nullptr;
    QImage m_neutral, m_edited;
    LikertRow* m_controllability = nullptr;
    LikertRow* m_realism = nullptr;
    LikertRow* m_anatomy = nullptr;
    QComboBox* m_choice = nullptr;
    QLineEdit* m_comment = nullptr;
    QPushButton* m_submit = nullptr;
    QLabel* m_trialError = nullptr;
    QElapsedTimer m_trialClock;
    std::string m_shownAt;
    // done
    QLabel* m_doneText = nullptr;
    QString m_error;
};

}  // namespace mt::ui
