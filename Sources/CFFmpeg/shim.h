#ifndef VIGIL_CFFMPEG_SHIM_H
#define VIGIL_CFFMPEG_SHIM_H

// The FFmpeg headers Vigil uses, plus inline wrappers for the macros Swift cannot import.

#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libswscale/swscale.h>
#include <libavutil/avutil.h>
#include <libavutil/error.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libavutil/dict.h>
#include <libavutil/pixdesc.h>
#ifdef __linux__
#include <malloc.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

/// AVERROR(EAGAIN): the decoder wants more input before it can output a frame.
static inline int vigil_averror_eagain(void) { return AVERROR(EAGAIN); }

/// AVERROR_EOF: end of stream.
static inline int vigil_averror_eof(void) { return AVERROR_EOF; }

/// AVERROR_EXIT: an interrupt callback aborted the blocking call.
static inline int vigil_averror_exit(void) { return AVERROR_EXIT; }

/// AVERROR_INVALIDDATA: the input is not what the demuxer or decoder expects.
static inline int vigil_averror_invaliddata(void) { return AVERROR_INVALIDDATA; }

/// AVERROR(ENOMEM): an allocation failed.
static inline int vigil_averror_enomem(void) { return AVERROR(ENOMEM); }

/// AVERROR(EINVAL): an argument or parameter was rejected.
static inline int vigil_averror_einval(void) { return AVERROR(EINVAL); }

/// AV_NOPTS_VALUE: an unknown timestamp.
static inline int64_t vigil_nopts_value(void) { return AV_NOPTS_VALUE; }

/// AV_TIME_BASE: the internal time base of libavformat (microseconds).
static inline int vigil_av_time_base(void) { return AV_TIME_BASE; }

/// Returns FFmpeg's message for an error code, written into `buffer`.
static inline const char *vigil_av_error_string(int code, char *buffer, size_t size) {
    av_strerror(code, buffer, size);
    return buffer;
}

/// A decoder's `get_buffer2` that gives every picture buffers of its own, freed when the picture
/// is, instead of FFmpeg's default, whose per-decoder pool keeps every buffer it ever handed out
/// until the decoder is closed. For live streams decoded a key frame at a time, seconds apart, the
/// pool would hold several full-size pictures per stream between key frames; a decoder that is
/// kept (rather than reopened) keeps the parameter sets the stream sent.
///
/// Sizes, alignment and padding are computed as FFmpeg's default does (the codec's dimension and
/// line alignment, linesizes widened until every plane is aligned, plane sizes plus 16 and 64
/// bytes of padding), and buffers are zeroed as the default's are. Anything the default treats
/// specially (codecs without direct rendering, palette formats, hardware frames) goes to the
/// default.
static inline int vigil_get_buffer_unpooled(struct AVCodecContext *context, AVFrame *frame, int flags) {
    const AVPixFmtDescriptor *descriptor = av_pix_fmt_desc_get((enum AVPixelFormat)frame->format);
    if (!(context->codec->capabilities & AV_CODEC_CAP_DR1) || context->codec_type != AVMEDIA_TYPE_VIDEO
        || descriptor == NULL || (descriptor->flags & (AV_PIX_FMT_FLAG_PAL | AV_PIX_FMT_FLAG_HWACCEL))
        || frame->width <= 0 || frame->height <= 0) {
        return avcodec_default_get_buffer2(context, frame, flags);
    }
    int width = frame->width;
    int height = frame->height;
    int align[AV_NUM_DATA_POINTERS];
    avcodec_align_dimensions2(context, &width, &height, align);
    int linesizes[4];
    int unaligned;
    do {
        int filled = av_image_fill_linesizes(linesizes, (enum AVPixelFormat)frame->format, width);
        if (filled < 0) return filled;
        // Widen by the lowest set bit of the width until every plane's line is aligned.
        width += width & ~(width - 1);
        unaligned = 0;
        for (int plane = 0; plane < 4; plane++) unaligned |= linesizes[plane] % align[plane];
    } while (unaligned);
    ptrdiff_t strides[4];
    for (int plane = 0; plane < 4; plane++) strides[plane] = linesizes[plane];
    size_t sizes[4];
    int sized = av_image_fill_plane_sizes(sizes, (enum AVPixelFormat)frame->format, height, strides);
    if (sized < 0) return sized;
    for (int plane = 0; plane < 4 && sizes[plane] > 0; plane++) {
        frame->buf[plane] = av_buffer_allocz(sizes[plane] + 16 + 64 - 1);
        if (frame->buf[plane] == NULL) {
            for (int taken = 0; taken < plane; taken++) av_buffer_unref(&frame->buf[taken]);
            return AVERROR(ENOMEM);
        }
        frame->data[plane] = frame->buf[plane]->data;
        frame->linesize[plane] = linesizes[plane];
    }
    frame->extended_data = frame->data;
    return 0;
}

/// Hands the whole pages of a heap block that hold only zeros back to the system, and returns how
/// many bytes that was. Reading such a page later gives zeros again and writing it takes a fresh
/// page, so the block's contents are unchanged: only memory that was never written since it was
/// zeroed stops being resident.
///
/// For a decoder's private context: FFmpeg allocates it zeroed, at its largest (about 750 KB for
/// H.264, for features and sizes a stream may never use), and decoding 1080p key frames writes
/// about 50 KB of it. `block` must come from FFmpeg's `av_malloc` family, which allocates from the C
/// library's heap (`posix_memalign`), so `malloc_usable_size` gives its extent; and no other thread
/// may write the block meanwhile (a write between the check and the release would be lost).
static inline size_t vigil_release_zero_pages(void *block) {
#ifdef __linux__
    if (block == NULL) return 0;
    const uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    const uintptr_t start = ((uintptr_t)block + page - 1) & ~(page - 1);
    const uintptr_t end = ((uintptr_t)block + malloc_usable_size(block)) & ~(page - 1);
    size_t released = 0;
    uintptr_t run = 0;  // start of the current run of zero pages, 0 when none
    for (uintptr_t address = start; address <= end; address += page) {
        int zero = address < end;
        for (const uint64_t *word = (const uint64_t *)address; zero && (uintptr_t)word < address + page; word++) {
            zero = *word == 0;
        }
        if (zero && run == 0) run = address;
        if (!zero && run != 0) {
            if (madvise((void *)run, address - run, MADV_DONTNEED) == 0) released += address - run;
            run = 0;
        }
    }
    return released;
#else
    (void)block;
    return 0;
#endif
}

/// Whether a frame is a key frame (the flag moved from a field to `flags` across FFmpeg versions).
static inline int vigil_frame_is_key(const AVFrame *frame) {
#ifdef AV_FRAME_FLAG_KEY
    return (frame->flags & AV_FRAME_FLAG_KEY) != 0;
#else
    return frame->key_frame != 0;
#endif
}

/// Whether a packet holds a key frame.
static inline int vigil_packet_is_key(const AVPacket *packet) {
    return (packet->flags & AV_PKT_FLAG_KEY) != 0;
}

/// Sets the calling thread's nice value (Linux keeps one per thread; threads it starts inherit
/// it). Returns 0, or -1 where it cannot be changed.
static inline int vigil_set_thread_nice(int nice) {
#ifdef __linux__
    return setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), nice);
#else
    (void)nice;
    return -1;
#endif
}

#endif
