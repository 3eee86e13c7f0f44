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
#ifdef __linux__
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
