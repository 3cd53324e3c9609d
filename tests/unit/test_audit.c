/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "t.h"
TEST(placeholder) { T_ASSERT(1); }
