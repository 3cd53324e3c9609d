/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Libraries loaded on first use (core/archive_dl.h, core/curl_dl.h). */
#pragma once

/* A required library that cannot be loaded: report it as the dynamic loader would for a
 * missing DT_NEEDED library, with its exit status (127). The packages are hard dependencies;
 * this is an installation error, not an input error. */
__attribute__((noreturn)) void hull_dl_fatal(const char *lib, const char *why);
