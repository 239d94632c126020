// SPDX-License-Identifier: GPL-2.0
/*
 * Native tests of the shim headers in shim/: the model is built against
 * them, so they must keep the kernel's semantics where the model relies on
 * them (kstrtou64() for the parser, the printf helpers and the macros).
 */
#include "pb_native.h"

#include <linux/kstrtox.h>

FIXTURE(shim)
{
};

FIXTURE_SETUP(shim)
{
}

FIXTURE_TEARDOWN(shim)
{
	nt_check_leaks(_metadata);
}

TEST_F(shim, kstrtou64_has_kernel_semantics)
{
	static const struct {
		const char *s;
		unsigned int base;
		int ret;
		u64 val;
	} t[] = {
		{ "0", 0, 0, 0 }, { "10", 0, 0, 10 }, { "010", 0, 0, 8 },
		{ "0x10", 0, 0, 16 }, { "0X1f", 0, 0, 31 }, { "+7", 0, 0, 7 },
		{ "7\n", 0, 0, 7 }, { "18446744073709551615", 0, 0, U64_MAX },
		{ "0xffffffffffffffff", 0, 0, U64_MAX }, { "ff", 16, 0, 255 },
		{ "0xff", 16, 0, 255 }, { "777", 8, 0, 511 }, { "101", 2, 0, 5 },
		{ "18446744073709551616", 0, -ERANGE, 0 },
		{ "0x10000000000000000", 0, -ERANGE, 0 },
		{ "", 0, -EINVAL, 0 }, { "\n", 0, -EINVAL, 0 }, { "+", 0, -EINVAL, 0 },
		{ "-1", 0, -EINVAL, 0 }, { " 1", 0, -EINVAL, 0 }, { "1 ", 0, -EINVAL, 0 },
		{ "7\n\n", 0, -EINVAL, 0 }, { "0x", 0, -EINVAL, 0 }, { "08", 0, -EINVAL, 0 },
		{ "12a", 0, -EINVAL, 0 }, { "0x1g", 0, -EINVAL, 0 }, { "9", 8, -EINVAL, 0 },
		{ "++1", 0, -EINVAL, 0 }, { "0x", 16, -EINVAL, 0 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		u64 val = 0xdead;
		int ret = kstrtou64(t[i].s, t[i].base, &val);

		EXPECT_EQ(t[i].ret, ret) TH_LOG("'%s' base %u", t[i].s, t[i].base);
		EXPECT_EQ(t[i].ret ? 0xdead : t[i].val, val)
			TH_LOG("'%s' base %u", t[i].s, t[i].base);
	}
}

TEST_F(shim, printf_helpers_and_macros)
{
	char buf[8];

	EXPECT_EQ(5, scnprintf(buf, sizeof(buf), "%s", "hello"));
	EXPECT_EQ(7, scnprintf(buf, sizeof(buf), "%s", "truncated"));
	EXPECT_STREQ("truncat", buf);
	EXPECT_EQ(0, scnprintf(buf, 0, "x"));
	EXPECT_EQ(0x1000, ALIGN(0xfffULL, 0x1000));
	EXPECT_EQ(0x1000, ALIGN(0x1000ULL, 0x1000));
	EXPECT_EQ(3, DIV_ROUND_UP(9, 4));
	EXPECT_EQ(0xff0, GENMASK(11, 4));
	EXPECT_EQ(0xf000000000000000ULL, GENMASK_ULL(63, 60));
	EXPECT_EQ(2, min(2ULL, 3ULL));
	EXPECT_EQ(3, max(2, 3));
	EXPECT_TRUE(IS_ERR(ERR_PTR(-ENOMEM)));
	EXPECT_FALSE(IS_ERR(buf));
	EXPECT_EQ(-ENOMEM, PTR_ERR(ERR_PTR(-ENOMEM)));
}

TEST_HARNESS_MAIN
