// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/dicom/dicom_reader.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <system_error>

#include "core/dicom/internal/dicom_backend.h"

namespace mt::dicom {
namespace fs = std::filesystem;

namespace {

bool isDicomDirName(const fs::path& p)
{
    std::string name = p.filename().string();
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return name == "DICOMDIR";
}

// A file of the scan: its header, or why it is not an importable image.
Expected<DicomInstanceInfo> importOne(const std::string& path)
{
    Expected<DicomInstanceInfo> info = tryReadInstanceInfo(path);
    if (info && !info.value().hasPixelData)
        return Error(ErrorCode::Dicom, "DICOM file '" + path + "': no image in this file (no Pixel Data)");
    return info;
}

// File-set IDs are upper-case on media, but a copy onto a case-sensitive disk may be lower-case.
fs::path resolveReferenced(const fs::path& root, const std::string& relative)
{
    fs::path exact = root / relative;
    std::error_code ec;
    if (fs::exists(exact, ec)) return exact;
    std::string lower = relative;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    fs::path lowered = root / lower;
    return fs::exists(lowered, ec) ? lowered : exact;
}

std::vector<std::string> listFolder(const fs::path& root, std::vector<FileError>& errors)
{
    std::vector<std::string> files;
    std::error_code ec;
    fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec), end;
    if (ec) {
        errors.push_back({root.string(), "folder '" + root.string() + "' cannot be listed: " + ec.message()});
        return files;
    }
    for (; it != end; it.increment(ec)) {
        if (ec) {
            // Built with append(): GCC 12 warns falsely (-Wrestrict, PR 105329) on "'" + std::string.
            std::string message = it->path().string();
            message.insert(0, 1, '\'').append("' cannot be listed: ").append(ec.message());
            errors.push_back({it->path().string(), message});
            ec.clear();
            continue;
        }
        const fs::path& p = it->path();
        // Hidden files (.DS_Store, editor swap files) and nested DICOMDIRs are not images.
        if (p.filename().string().starts_with(".")) {
            if (it->is_directory(ec)) it.disable_recursion_pending();
            continue;
        }
        if (!it->is_regular_file(ec) || isDicomDirName(p)) continue;
        files.push_back(p.string());
    }
    std::sort(files.begin(), files.end());
    return files;
}

}  // namespace

DicomInstanceInfo readInstanceInfo(const std::string& path)
{
    return internal::readHeader(path);
}

Expected<DicomInstanceInfo> tryReadInstanceInfo(const std::string& path) noexcept
{
    // The one place where a per-file failure becomes a value (house style 4.5): loops stay try-free.
    try {
        return internal::readHeader(path);
    } catch (const Error& e) {
        return e;
    } catch (const std::bad_alloc&) {
        return Error(ErrorCode::Dicom, "DICOM file '" + path + "': out of memory while reading (corrupt lengths?)");
    } catch (const std::exception& e) {
        return Error(ErrorCode::Internal, "DICOM file '" + path + "': " + e.what());
    }
}

namespace {

// The files a path stands for: a folder's DICOMDIR records (or, without a readable DICOMDIR, every file
// under it), a DICOMDIR's folder, or the file itself. Problems with the listing go to `result`.
std::vector<std::string> collectFiles(const std::string& path, ScanResult& result)
{
    std::error_code ec;
    std::vector<std::string> files;
    fs::path root(path);
    if (fs::is_regular_file(root, ec) && isDicomDirName(root)) root = root.parent_path().empty() ? fs::path(".") : root.parent_path();
    if (!fs::is_directory(root, ec)) {
        files.push_back(path);
        return files;
    }
    fs::path dicomDir;
    for (const char* name : {"DICOMDIR", "dicomdir"})
        if (fs::is_regular_file(root / name, ec)) dicomDir = root / name;
    bool usedDicomDir = false;
    if (!dicomDir.empty()) {
        Expected<std::vector<std::string>> referenced = [&]() -> Expected<std::vector<std::string>> {
            try {
                return internal::readDicomDirFiles(dicomDir.string());
            } catch (const Error& e) {
                return e;
            }
        }();
        if (referenced) {
            usedDicomDir = result.usedDicomDir = true;
            for (const auto& rel : referenced.value()) files.push_back(resolveReferenced(root, rel).string());
        } else {
            // A broken DICOMDIR must not hide the images next to it: report it and walk the folder.
            result.errors.push_back({dicomDir.string(), referenced.error().what()});
        }
    }
    if (!usedDicomDir) files = listFolder(root, result.errors);
    return files;
}

// Imports `files` (each once, in the given order) into `result`'s tree and error list.
void importFiles(const std::vector<std::string>& files, ScanResult& result)
{
    std::vector<DicomInstanceInfo> good;
    std::set<std::string> seen;
    for (const auto& f : files) {
        if (!seen.insert(f).second) continue;
        Expected<DicomInstanceInfo> info = importOne(f);
        if (info) good.push_back(std::move(info).value());
        else result.errors.push_back({f, info.error().what()});
    }
    result.studies = buildTree(std::move(good));
}

}  // namespace

ScanResult scan(const std::string& path)
{
    std::error_code ec;
    if (!fs::exists(path, ec)) throw Error(ErrorCode::Io, "'" + path + "' does not exist");
    ScanResult result;
    importFiles(collectFiles(path, result), result);
    return result;
}

ScanResult scanFiles(const std::vector<std::string>& paths)
{
    ScanResult result;
    std::vector<std::string> files;
    for (const auto& p : paths) {
        std::error_code ec;
        if (!fs::exists(p, ec)) {
            result.errors.push_back({p, "'" + p + "' does not exist"});
            continue;
        }
        for (auto& f : collectFiles(p, result)) files.push_back(std::move(f));
    }
    importFiles(files, result);
    return result;
}

PixelFrame readFrame(const std::string& path, int frame)
{
    const RawFrame raw = internal::readRawFrame(path, frame);
    PixelFrame f = toPixelFrame(raw, path);
    f.frameIndex = frame;
    f.sourcePath = path;
    return f;
}

std::vector<DicomStudyInfo> buildTree(std::vector<DicomInstanceInfo> instances)
{
    std::vector<DicomStudyInfo> studies;
    std::map<std::string, std::size_t> studyIndex;
    for (auto& inst : instances) {
        // Files without a Study/Series UID still need a home; the path keeps them apart.
        const std::string studyKey = inst.studyInstanceUid.empty() ? "?" + inst.path : inst.studyInstanceUid;
        auto [sit, newStudy] = studyIndex.emplace(studyKey, studies.size());
        if (newStudy) {
            DicomStudyInfo st;
            st.studyInstanceUid = inst.studyInstanceUid;
            st.patientName = inst.patientName;
            st.patientId = inst.patientId;
            st.studyDate = inst.studyDate;
            st.description = inst.studyDescription;
            st.accessionNumber = inst.accessionNumber;
            studies.push_back(std::move(st));
        }
        auto& study = studies[sit->second];
        const std::string seriesKey = inst.seriesInstanceUid.empty() ? "?" + inst.path : inst.seriesInstanceUid;
        auto series = std::find_if(study.series.begin(), study.series.end(), [&](const DicomSeriesInfo& s) {
            return (s.seriesInstanceUid.empty() ? "?" + s.instances.front().path : s.seriesInstanceUid) == seriesKey;
        });
        if (series == study.series.end()) {
            DicomSeriesInfo se;
            se.seriesInstanceUid = inst.seriesInstanceUid;
            se.modality = inst.modality;
            se.description = inst.seriesDescription;
            se.seriesNumber = inst.seriesNumber;
            study.series.push_back(std::move(se));
            series = std::prev(study.series.end());
        }
        series->instances.push_back(std::move(inst));
    }
    for (auto& st : studies) {
        std::stable_sort(st.series.begin(), st.series.end(),
                         [](const DicomSeriesInfo& a, const DicomSeriesInfo& b) { return a.seriesNumber < b.seriesNumber; });
        for (auto& se : st.series)
            std::stable_sort(se.instances.begin(), se.instances.end(),
                             [](const DicomInstanceInfo& a, const DicomInstanceInfo& b) { return a.instanceNumber < b.instanceNumber; });
    }
    return studies;
}

}  // namespace mt::dicom
