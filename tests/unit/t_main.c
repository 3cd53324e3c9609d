/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define T_IMPLEMENTATION
#include "t.h"

int main(void)
{
	return t_run();
}
