#!/usr/bin/perl
# SPDX-License-Identifier: GPL-2.0
#
# The fuzzers' seed corpus, from the selftests' own command lines:
#
#   gen_seeds.pl NAMES_H OUT SOURCE...
#
# Every string literal of the SOURCEs that starts with a command name of
# NAMES_H's PB_COMMAND list is a command line; its printf conversions are
# filled in by key (va=0x%llx gets an address that the set-up maps, len= a
# few blocks, mm= 0, ...).  OUT/cmd gets one file per line, for fuzz_cmd;
# OUT/seq gets, for fuzz_seq, each line after a set-up (an mm, a VMA, a
# populated contpte block) of one of the three granules, and each source's
# lines in order, $chunk at a time, after the 4K set-up.  The $NAMEs of
# test_iface_cmd.c's bad commands get its 4K fixture's values.  Files are
# named by the SHA-1 of their content, as libFuzzer names its own.
use strict;
use warnings;
use Digest::SHA qw(sha1_hex);
use File::Path qw(make_path);

die "usage: $0 NAMES_H OUT SOURCE...\n" unless @ARGV >= 3;
my ($names_h, $out, @sources) = @ARGV;
my $chunk = 12;

open(my $fh, '<', $names_h) or die "$names_h: $!\n";
my %cmd = map { /^PB_COMMAND\((\w+)\)/ ? ($1 => 1) : () } <$fh>;
close($fh);
die "$names_h: no PB_COMMAND list\n" unless %cmd;

my @setups = map { join("\n", @$_) . "\n" } (
	["mm_create page_kb=4 backing=1",
	 "mmap mm=0 start=0x40000000 len=0x200000 flags=r,w,anon",
	 "populate mm=0 va=0x40000000 len=0x20000 order=4"],
	["mm_create page_kb=16",
	 "mmap mm=0 start=0x40000000 len=0x800000 flags=r,w,anon",
	 "populate mm=0 va=0x40000000 len=0x200000 order=7"],
	["mm_create page_kb=64",
	 "mmap mm=0 start=0x40000000 len=0x800000 flags=r,w,anon",
	 "populate mm=0 va=0x40000000 len=0x200000 order=5"],
);

my %val = (va => 0x40000000, start => 0x40000000, old => 0x40000000,
	   new => 0x48000000, len => 0x20000, nr => 16, mm => 0,
	   page_kb => 4, order => 4, seed => 1, seeds => 1, steps => 8,
	   bytes => 4096, pid => 1);

my %sym = (VA => 0x40000000, VA1 => 0x40000001, VA4 => 0x40000004,
	   PAGE => 0x1000, BLOCK => 0x10000, TWOBLOCKS1 => 33,
	   FREE => 0x40040000, FREE1 => 0x40040001, FREEPAGE => 0x40041000,
	   VEND => 0x40080000, VEND1 => 0x40080001, VENDM1 => 0x4007f000,
	   VMALEN => 0x80000, ORDER => 4, BADORDER => 10, TOOMANY => 513,
	   KB => 4, TOP => 1 << 63, TOPPAGE => ~0xfff,
	   HIGHVA => 1 << 48, HIGHPFN => 1 << 36);

# A conversion after "key=" or "key=0x" gets the key's value, others 1.
sub fill {
	my ($line) = @_;

	$line =~ s{(\w+)=(0x)?%(?:ll|l|z|h)?[diux]}{
		my $v = exists $val{$1} ? $val{$1} : 1;
		"$1=" . ($2 ? sprintf("0x%x", $v) : $v)
	}ge;
	$line =~ s/%(?:ll|l|z|h)?[diux]/1/g;
	$line =~ s/%s//g;
	# test_iface_cmd.c's $NAMEs, as its 4K fixture fills them in.
	$line =~ s{\$([A-Z][A-Z0-9]*)}{
		exists $sym{$1} ? sprintf("0x%x", $sym{$1}) : "0x1000"
	}ge;
	return $line;
}

sub put {
	my ($dir, $data) = @_;
	my $f = "$dir/" . sha1_hex($data);

	return if -e $f;
	open(my $o, '>', $f) or die "$f: $!\n";
	print $o $data;
	close($o);
}

make_path("$out/cmd", "$out/seq");
my ($nlines, $i) = (0, 0);
for my $src (@sources) {
	open(my $s, '<', $src) or die "$src: $!\n";
	my @lines;

	while (my $l = <$s>) {
		while ($l =~ /"((?:[^"\\]|\\.)*)"/g) {
			my $lit = $1;
			my ($name) = $lit =~ /^(\w+)(?: |$)/;

			next unless $name && $cmd{$name} && $lit !~ /\\|%[^diuxls]/;
			push @lines, fill($lit);
		}
	}
	close($s);
	for my $line (@lines) {
		put("$out/cmd", $line);
		put("$out/seq", $setups[$i++ % @setups] . $line . "\n");
	}
	for (my $j = 0; $j < @lines; $j += $chunk) {
		my $end = $j + $chunk > @lines ? $#lines : $j + $chunk - 1;

		put("$out/seq", $setups[0] . join("\n", @lines[$j .. $end]) . "\n");
	}
	$nlines += @lines;
}
die "no command lines found in @sources\n" unless $nlines;
print "gen_seeds: $nlines command lines from " . scalar(@sources) . " sources\n";
