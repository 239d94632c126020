// SPDX-License-Identifier: GPL-2.0
/*
 * pbctl: run ptebatch ctl commands in one session and print their replies.
 * Documentation/pbctl.rst is its manual page (pbctl.1).
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>

#include "pb_util.h"

static const char usage[] =
	"usage: pbctl [-q] [-v] [-e] [-z] 'command key=value...' ...\n"
	"       pbctl [-q] [-v] [-e] [-z] -        (commands from standard input)\n"
	"       pbctl help [COMMAND]\n"
	"\n"
	"Runs ptebatch ctl commands in one session of " PB_DEBUGFS_DIR "/ctl\n"
	"and prints each command ('> command') and its reply.\n"
	"\n"
	"  -q, --quiet       print nothing but errors\n"
	"  -v, --verbose     also echo the '#' comment lines read from standard input\n"
	"  -e, --errexit     stop at the first failed command; exit with its errno\n"
	"  -z, --no-zero     hide counter lines whose value is 0 ('name 0')\n"
	"  -h, --help        this help\n"
	"\n"
	"help COMMAND prints that command's keys and what it does.\n"
	"Exit status: 0 when every command succeeded, 1 when one failed (-e: its\n"
	"errno), 2 for a usage error, 3 when the module cannot be reached.\n";

static struct pb_ctl ctl;
static bool quiet, verbose, errexit, nozero;

/* A counter line of the stats or mm_stats reply: "name 0". */
static bool zero_counter(const char *line, size_t len)
{
	const char *sp = memchr(line, ' ', len);

	return sp && sp > line && len == (size_t)(sp - line) + 2 && sp[1] == '0' &&
	       !memchr(line, '=', sp - line);
}

static void print_reply(const char *reply, FILE *f)
{
	const char *p = reply, *nl;
	size_t len;

	while (*p) {
		nl = strchr(p, '\n');
		len = nl ? (size_t)(nl - p) : strlen(p);
		if (!(nozero && zero_counter(p, len)))
			fprintf(f, "%.*s\n", (int)len, p);
		p += len + !!nl;
	}
}

/*
 * help CMD: the module's help, for one command: its synopsis, what it does,
 * and a line per key (required or optional, default, range or values).
 */
static int help_one(const char *name)
{
	size_t n = strlen(name);
	const char *p;
	int ret = pb_cmd(&ctl, "help");

	if (ret)
		return ret;
	for (p = ctl.reply; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (!strncmp(p, name, n) && p[n] == ' ') {
			const char *end = strchr(p, '\n');

			/* Up to the next line that is not indented. */
			while (end && end[1] == ' ')
				end = strchr(end + 1, '\n');
			printf("%.*s\n", end ? (int)(end - p) : (int)strlen(p), p);
			return 0;
		}
	}
	fprintf(stderr, "pbctl: help: no command '%s' (pbctl help lists them)\n", name);
	return -EINVAL;
}

static int run(const char *line)
{
	int ret;

	if (!strncmp(line, "help ", 5) && line[5] && !strchr(line + 5, '=')) {
		while (*line && *line != ' ')
			line++;
		return help_one(line + strspn(line, " "));
	}
	ret = pb_cmd(&ctl, "%s", line);
	if (!quiet || ret) {
		if (!quiet)
			printf("> %s\n", line);
		print_reply(ctl.reply, ret ? stderr : stdout);
		fflush(stdout);
	}
	if (ret)
		fprintf(stderr, "pbctl: '%s': %s\n", line, strerror(-ret));
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "errexit", no_argument, NULL, 'e' },
		{ "no-zero", no_argument, NULL, 'z' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	char line[PB_CMD_MAX + 1];	/* a command and its newline */
	const char *why;
	int i, opt, ret, failed = 0;

	while ((opt = getopt_long(argc, argv, "+qvezh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'q':
			quiet = true;
			break;
		case 'v':
			verbose = true;
			break;
		case 'e':
			errexit = true;
			break;
		case 'z':
			nozero = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		fputs(usage, stderr);
		return 2;
	}
	why = pb_unreachable();
	if (why) {
		fprintf(stderr, "pbctl: %s\n", why);
		return 3;
	}
	ret = pb_open(&ctl);
	if (ret) {
		fprintf(stderr, "pbctl: open " PB_DEBUGFS_DIR "/ctl: %s\n", strerror(-ret));
		return 3;
	}
	if (argc - optind == 2 && !strcmp(argv[optind], "help")) {
		/* pbctl help COMMAND, as two words. */
		failed = help_one(argv[optind + 1]);
		if (failed && !errexit)
			failed = 1;
	} else if (argc - optind == 1 && !strcmp(argv[optind], "-")) {
		while (fgets(line, sizeof(line), stdin)) {
			line[strcspn(line, "\n")] = '\0';
			if (line[0] == '#' && verbose && !quiet)
				printf("%s\n", line);
			if (!line[0] || line[0] == '#')
				continue;
			ret = run(line);
			if (ret && errexit) {
				failed = ret;
				break;
			}
			failed |= !!ret;
		}
	} else {
		for (i = optind; i < argc; i++) {
			ret = run(argv[i]);
			if (ret && errexit) {
				failed = ret;
				break;
			}
			failed |= !!ret;
		}
	}
	pb_close(&ctl);
	return failed < 0 ? -failed : failed;
}
