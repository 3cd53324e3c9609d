/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-c/json.h>

/* The runtime-spec "features" document, truthful for this build and this host. */
json_object *hull_features(void);
