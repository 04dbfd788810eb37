// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/study/reading_session_window.h"

#include <QComboBox>
#include <QDir>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QStackedWidget>
#include <QVBoxLayout>

#include "core/common/error.h"
#include "core/common/durable_file.h"
#include "core/study/manifest.h"
#include "core/study/reading_session.h"
#include "ui/study/likert_row.h"

namespace mt::ui {

namespace {
QLabel* imageLabel(QWidget* parent, const QString& name)
{
    auto* l = new QLabel(parent);
    l->setObjectName(name);
    l->setAlignment(Qt::AlignCenter);
    l->setMinimumSize(256, 256);
    l->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    l->setStyleSheet(QStringLiteral("background: #101418; color: #9aa7b4;"));
    return l;
}

QLabel* caption(const QString& text, QWidget* parent)
{
    auto* l = new QLabel(text, parent);
    l->setAlignment(Qt::AlignCenter);
    QFont f = l->font();
    f.setBold(true);
    f.setPointSizeF(f.pointSizeF() * 1.15);
    l->setFont(f);
    return l;
}
}  // namespace

ReadingSessionWindow::ReadingSessionWindow(const QString& studyDir, QWidget* parent)
    : QWidget(parent, Qt::Window), m_studyDir(studyDir)
{
    setObjectName(QStringLiteral("ReadingSessionWindow"));
    setWindowTitle(tr("Reader Study - %1").arg(QDir(studyDir).dirName()));
    resize(1100, 860);
    auto* layout = new QVBoxLayout(this);
    // Always visible: these images are synthetic and must never pass for real studies.
    auto* banner = new QLabel(tr("SYNTHETIC IMAGES - reader study for research, not for diagnosis"), this);
    banner->setObjectName(QStringLiteral("syntheticBanner"));
    banner->setAlignment(Qt::AlignCenter);
    banner->setStyleSheet(QStringLiteral("QLabel#syntheticBanner { background: #b3261e; color: white; font-weight: bold; padding: 4px; }"));
    layout->addWidget(banner);
    m_pages = new QStackedWidget(this);
    m_pages->addWidget(buildLoginPage());
    m_pages->addWidget(buildTrialPage());
    m_pages->addWidget(buildDonePage());
    layout->addWidget(m_pages, 1);

    try {
        const auto m = study::loadStudy(studyDir.toStdString(), true);
        m_studyTitle->setText(tr("Study: %1 (%2 trials)").arg(QString::fromStdString(m.title)).arg(m.stimuli.size()));
    } catch (const std::exception& e) {
        m_start->setEnabled(false);
        showError(tr("This study cannot be read: %1").arg(QString::fromUtf8(e.what())));
    }
}

ReadingSessionWindow::~ReadingSessionWindow() = default;

QWidget* ReadingSessionWindow::buildLoginPage()
{
    auto* page = new QWidget(this);
    auto* outer = new QVBoxLayout(page);
    outer->addStretch(1);
    m_studyTitle = new QLabel(page);
    m_studyTitle->setAlignment(Qt::AlignCenter);
    QFont f = m_studyTitle->font();
    f.setPointSizeF(f.pointSizeF() * 1.4);
    f.setBold(true);
    m_studyTitle->setFont(f);
    outer->addWidget(m_studyTitle);
    auto* intro = new QLabel(tr("Each trial shows a neutral image and an edited image of the same synthetic patient. "
                                "Rate how well one finding is controlled, how realistic the edited image is and how "
                                "well the anatomy is preserved. Your answers are saved as you go; if the session is "
                                "interrupted, log in again with the same ID to continue."),
                             page);
    intro->setWordWrap(true);
    // Layouts with an alignment ignore height-for-width: reserve the wrapped text's height explicitly.
    intro->setFixedWidth(620);
    intro->setMinimumHeight(intro->heightForWidth(620));
    outer->addWidget(intro, 0, Qt::AlignHCenter);
    auto* form = new QFormLayout;
    m_readerName = new QLineEdit(page);
    m_readerName->setObjectName(QStringLiteral("readerName"));
    m_readerName->setPlaceholderText(tr("e.g. Dr. A. Martin"));
    m_readerId = new QLineEdit(page);
    m_readerId->setObjectName(QStringLiteral("readerId"));
    m_readerId->setPlaceholderText(tr("letters, digits, . _ - (e.g. reader01)"));
    form->addRow(tr("Reader name:"), m_readerName);
    form->addRow(tr("Reader ID:"), m_readerId);
    auto* formBox = new QWidget(page);
    formBox->setLayout(form);
    formBox->setFixedWidth(480);
    outer->addWidget(formBox, 0, Qt::AlignHCenter);
    m_start = new QPushButton(tr("Start or resume (Enter)"), page);
    m_start->setObjectName(QStringLiteral("startButton"));
    connect(m_start, &QPushButton::clicked, this, [this] { login(m_readerId->text(), m_readerName->text()); });
    outer->addWidget(m_start, 0, Qt::AlignHCenter);
    m_loginError = new QLabel(page);
    m_loginError->setObjectName(QStringLiteral("loginError"));
    m_loginError->setWordWrap(true);
    m_loginError->setStyleSheet(QStringLiteral("color: #b3261e;"));
    m_loginError->setFixedWidth(620);
    outer->addWidget(m_loginError, 0, Qt::AlignHCenter);
    outer->addStretch(2);
    return page;
}

QWidget* ReadingSessionWindow::buildTrialPage()
{
    auto* page = new QWidget(this);
    auto* layout = new QVBoxLayout(page);
    auto* top = new QHBoxLayout;
    m_progressLabel = new QLabel(page);
    m_progressLabel->setObjectName(QStringLiteral("progressLabel"));
    QFont f = m_progressLabel->font();
    f.setBold(true);
    m_progressLabel->setFont(f);
    m_progress = new QProgressBar(page);
    m_progress->setTextVisible(false);
    m_progress->setMaximumHeight(10);
    top->addWidget(m_progressLabel);
    top->addWidget(m_progress, 1);
    layout->addLayout(top);

    auto* images = new QHBoxLayout;
    auto* left = new QVBoxLayout;
    auto* right = new QVBoxLayout;
    left->addWidget(caption(tr("A - neutral (reference)"), page));
    m_neutralView = imageLabel(page, QStringLiteral("neutralImage"));
    left->addWidget(m_neutralView, 1);
    right->addWidget(caption(tr("B - edited"), page));
    m_editedView = imageLabel(page, QStringLiteral("editedImage"));
    right->addWidget(m_editedView, 1);
    images->addLayout(left, 1);
    images->addLayout(right, 1);
    layout->addLayout(images, 1);

    m_controllability = new LikertRow(tr("1. Controllability: does exactly one finding change between A and B?"),
                                      tr("no clear change / many changes"), tr("one finding changes clearly"), page);
    m_realism = new LikertRow(tr("2. Realism: how realistic is the edited image B?"), tr("clearly artificial"),
                              tr("indistinguishable from real"), page);
    m_anatomy = new LikertRow(tr("3. Anatomy preservation: is the patient's anatomy the same in A and B?"),
                              tr("anatomy changed a lot"), tr("anatomy identical"), page);
    m_controllability->setObjectName(QStringLiteral("likertControllability"));
    m_realism->setObjectName(QStringLiteral("likertRealism"));
    m_anatomy->setObjectName(QStringLiteral("likertAnatomy"));
    for (auto* row : {m_controllability, m_realism, m_anatomy}) {
        layout->addWidget(row);
        connect(row, &LikertRow::valueChanged, this, &ReadingSessionWindow::updateSubmitEnabled);
    }
    // Object names are style-sheet selectors of the row; keep the shared "likertRow" look.
    for (auto* row : {m_controllability, m_realism, m_anatomy})
        row->setStyleSheet(row->styleSheet().replace(QStringLiteral("#likertRow"), QLatin1Char('#') + row->objectName()));

    auto* form = new QFormLayout;
    m_choice = new QComboBox(page);
    m_choice->setObjectName(QStringLiteral("findingChoice"));
    m_comment = new QLineEdit(page);
    m_comment->setObjectName(QStringLiteral("comment"));
    m_comment->setPlaceholderText(tr("optional"));
    form->addRow(tr("Which finding changed? (optional)"), m_choice);
    form->addRow(tr("Comment:"), m_comment);
    layout->addLayout(form);

    auto* bottom = new QHBoxLayout;
    auto* keys = new QLabel(tr("Keyboard: 1-5 rate the highlighted question, Tab moves on, Enter submits."), page);
    keys->setStyleSheet(QStringLiteral("color: #5f6b76;"));
    bottom->addWidget(keys, 1);
    m_submit = new QPushButton(tr("Submit and next (Enter)"), page);
    m_submit->setObjectName(QStringLiteral("submitButton"));
    m_submit->setEnabled(false);
    connect(m_submit, &QPushButton::clicked, this, &ReadingSessionWindow::submit);
    bottom->addWidget(m_submit);
    layout->addLayout(bottom);
    m_trialError = new QLabel(page);
    m_trialError->setObjectName(QStringLiteral("trialError"));
    m_trialError->setWordWrap(true);
    m_trialError->setStyleSheet(QStringLiteral("color: #b3261e;"));
    m_trialError->setVisible(false);
    layout->addWidget(m_trialError);
    setTabOrder(m_controllability, m_realism);
    setTabOrder(m_realism, m_anatomy);
    setTabOrder(m_anatomy, m_choice);
    setTabOrder(m_choice, m_comment);
    setTabOrder(m_comment, m_submit);
    return page;
}

QWidget* ReadingSessionWindow::buildDonePage()
{
    auto* page = new QWidget(this);
    auto* layout = new QVBoxLayout(page);
    layout->addStretch(1);
    m_doneText = new QLabel(page);
    m_doneText->setObjectName(QStringLiteral("doneText"));
    m_doneText->setAlignment(Qt::AlignCenter);
    m_doneText->setWordWrap(true);
    layout->addWidget(m_doneText);
    auto* close = new QPushButton(tr("Close"), page);
    connect(close, &QPushButton::clicked, this, &QWidget::close);
    layout->addWidget(close, 0, Qt::AlignHCenter);
    layout->addStretch(2);
    return page;
}

bool ReadingSessionWindow::login(const QString& readerId, const QString& readerName)
{
    try {
        const study::ReaderInfo r{readerId.trimmed().toStdString(), readerName.trimmed().toStdString()};
        m_session = std::make_unique<study::ReadingSession>(m_studyDir.toStdString(), r);
    } catch (const std::exception& e) {
        m_session.reset();
        showError(QString::fromUtf8(e.what()));
        return false;
    }
    m_error.clear();
    m_loginError->clear();
    m_choice->clear();
    m_choice->addItem(tr("(not sure / skip)"), QString());
    for (const auto& [id, label] : m_session->findingChoices())
        m_choice->addItem(QString::fromStdString(label), QString::fromStdString(id));
    setWindowTitle(tr("Reader Study - %1 - %2")
                       .arg(QDir(m_studyDir).dirName(), QString::fromStdString(m_session->reader().name)));
    showCurrentTrial();
    return true;
}

bool ReadingSessionWindow::isFinished() const
{
    return m_session && m_session->isComplete();
}

int ReadingSessionWindow::currentPosition() const
{
    return m_session ? m_session->currentPosition() : 0;
}

int ReadingSessionWindow::trialCount() const
{
    return m_session ? m_session->trialCount() : 0;
}

QString ReadingSessionWindow::currentTrialId() const
{
    if (!m_session || m_session->isComplete()) return {};
    return QString::fromStdString(m_session->order()[static_cast<std::size_t>(m_session->currentPosition())]);
}

QString ReadingSessionWindow::errorText() const
{
    return m_error;
}

bool ReadingSessionWindow::wasResumed() const
{
    return m_session && m_session->wasResumed();
}

void ReadingSessionWindow::showCurrentTrial()
{
    if (m_session->isComplete()) {
        m_doneText->setText(tr("All %1 trials are rated. Thank you, %2.\n\nYour answers are saved in %3.")
                                .arg(m_session->trialCount())
                                .arg(QString::fromStdString(m_session->reader().name),
                                     QDir::toNativeSeparators(QString::fromStdString(m_session->logPath()))));
        m_pages->setCurrentIndex(2);
        emit sessionFinished();
        return;
    }
    const int pos = m_session->currentPosition();
    const int total = m_session->trialCount();
    const study::BlindedTrial t = m_session->trial(pos);
    m_neutral = QImage(QString::fromStdString(t.neutralImage));
    m_edited = QImage(QString::fromStdString(t.editedImage));
    m_trialError->setVisible(false);
    for (const auto& [img, path] : {std::pair{&m_neutral, &t.neutralImage}, std::pair{&m_edited, &t.editedImage}})
        if (img->isNull()) showError(tr("Cannot read the image '%1'.").arg(QString::fromStdString(*path)));
    m_progressLabel->setText(tr("Trial %1 / %2").arg(pos + 1).arg(total));
    m_progress->setRange(0, total);
    m_progress->setValue(pos);
    m_controllability->clear();
    m_realism->clear();
    m_anatomy->clear();
    m_choice->setCurrentIndex(0);
    m_comment->clear();
    updateSubmitEnabled();
    m_pages->setCurrentIndex(1);
    updateImages();
    m_controllability->setFocus(Qt::OtherFocusReason);
    m_shownAt = mt::isoTimestampNow();
    m_trialClock.start();
    emit trialShown(pos, total);
}

bool ReadingSessionWindow::submit()
{
    if (!m_session || m_session->isComplete() || m_pages->currentIndex() != 1) return false;
    study::Answer a;
    a.controllability = m_controllability->value();
    a.realism = m_realism->value();
    a.anatomy = m_anatomy->value();
    if (!a.isComplete()) {
        showError(tr("Rate all three questions (1-5) before submitting."));
        for (auto* row : {m_controllability, m_realism, m_anatomy})
            if (row->value() == 0) {
                row->setFocus(Qt::OtherFocusReason);
                break;
            }
        return false;
    }
    a.choice = m_choice->currentData().toString().toStdString();
    a.comment = m_comment->text().toStdString();
    a.shownAt = m_shownAt;
    a.seconds = static_cast<double>(m_trialClock.elapsed()) / 1000.0;
    const QString id = currentTrialId();
    try {
        m_session->submit(a);
    } catch (const std::exception& e) {
        // The ratings stay on screen: nothing the reader entered is lost; they can retry.
        showError(tr("The answer could not be saved: %1").arg(QString::fromUtf8(e.what())));
        return false;
    }
    emit answerRecorded(id);
    showCurrentTrial();
    return true;
}

void ReadingSessionWindow::keyPressEvent(QKeyEvent* event)
{
    if (event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter) {
        if (m_pages->currentIndex() == 0 && m_start->isEnabled()) login(m_readerId->text(), m_readerName->text());
        else if (m_pages->currentIndex() == 1) submit();
        return;
    }
    QWidget::keyPressEvent(event);
}

void ReadingSessionWindow::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    updateImages();
}

void ReadingSessionWindow::updateImages()
{
    for (const auto& [view, img] : {std::pair{m_neutralView, &m_neutral}, std::pair{m_editedView, &m_edited}}) {
        if (img->isNull()) {
            view->setPixmap({});
            continue;
        }
        const QSize area = view->size() - QSize(4, 4);
        // Small synthetic images are enlarged without smoothing so readers judge the real pixels.
        const auto mode = img->width() < area.width() / 2 ? Qt::FastTransformation : Qt::SmoothTransformation;
        view->setPixmap(QPixmap::fromImage(*img).scaled(area, Qt::KeepAspectRatio, mode));
    }
}

void ReadingSessionWindow::updateSubmitEnabled()
{
    m_submit->setEnabled(m_controllability->value() > 0 && m_realism->value() > 0 && m_anatomy->value() > 0);
}

void ReadingSessionWindow::showError(const QString& text)
{
    m_error = text;
    if (m_pages->currentIndex() == 1) {
        m_trialError->setText(text);
        m_trialError->setVisible(true);
    } else {
        m_loginError->setText(text);
    }
}

}  // namespace mt::ui
