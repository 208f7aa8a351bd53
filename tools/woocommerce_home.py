"""A real WordPress + WooCommerce for the end-to-end test of `channel-sync` against a real store
(tests/woocommerce): puts a built tree in place, outside this repository, and finds it again.

    python -m tools.woocommerce_home SOURCE [--ref REF] [--home DIR] [--replace]
    python -m tools.woocommerce_home --check

SOURCE is a built WordPress site — a folder, or a git repository read at REF (default HEAD) with
`git archive` — with WordPress at its root (`wp-includes/version.php`) and a built WooCommerce in
`wp-content/plugins/woocommerce`, `vendor/` included (what the release zip holds; WooCommerce's development
repository has no `vendor/` and cannot run as it is). Only WordPress itself and WooCommerce are taken: no
other plugin, theme, upload or language pack, and never the site's own `wp-config.php` (a committed site's
database password stays where it was). The tree gets a `wp-config.php` that reads the database and the rest
from the environment, as the official WordPress container image does (`WORDPRESS_DB_NAME`, ...), so that one
tree serves every test session, each with its own database.

The tree is WOOCOMMERCE_HOME, default /opt/woocommerce; PHP is WOOCOMMERCE_PHP, default `php` on the PATH
(Debian: php-cli php-mysql php-curl php-xml php-mbstring php-gd php-zip php-intl).
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

DEFAULT_HOME = "/opt/woocommerce"
HOME_ENV = "WOOCOMMERCE_HOME"
PHP_ENV = "WOOCOMMERCE_PHP"
PLUGIN = Path("wp-content/plugins/woocommerce")
# WordPress itself: every file at the root, wp-admin, wp-includes; of wp-content only the empty-folder
# guards and WooCommerce.
TAKEN = ("wp-admin", "wp-includes", "wp-content/index.php", "wp-content/plugins/index.php", str(PLUGIN))
CONFIG_MARK = "tools/woocommerce_home.py"
# PHP extension -> the Debian package that brings it.
PHP_EXTENSIONS = {
    "mysqli": "php-mysql",
    "mbstring": "php-mbstring",
    "dom": "php-xml",
    "curl": "php-curl",
    "intl": "php-intl",
    "gd": "php-gd",
    "zip": "php-zip",
}

WP_CONFIG = """<?php
/**
 * Written by {mark}: this site's settings come from the environment of the PHP process that runs it (as
 * in the official WordPress container image), so that one tree serves any number of sites, each with its
 * own database. WORDPRESS_DB_NAME is required; WORDPRESS_DB_HOST (127.0.0.1), WORDPRESS_DB_USER (root),
 * WORDPRESS_DB_PASSWORD (empty), WORDPRESS_TABLE_PREFIX (wp_), WORDPRESS_DEBUG_LOG (a file: debug on,
 * logged there), WORDPRESS_MU_PLUGIN_DIR (must-use plugins of the site) and WORDPRESS_DISABLE_WP_CRON are
 * optional.
 */
function woocommerce_home_env( $name, $fallback ) {{
	$value = getenv( $name );
	return false === $value ? $fallback : $value;
}}

if ( false === getenv( 'WORDPRESS_DB_NAME' ) ) {{
	http_response_code( 503 );
	exit( "WORDPRESS_DB_NAME is not set: this tree's site is configured from the environment.\\n" );
}}
define( 'DB_NAME', getenv( 'WORDPRESS_DB_NAME' ) );
define( 'DB_HOST', woocommerce_home_env( 'WORDPRESS_DB_HOST', '127.0.0.1' ) );
define( 'DB_USER', woocommerce_home_env( 'WORDPRESS_DB_USER', 'root' ) );
define( 'DB_PASSWORD', woocommerce_home_env( 'WORDPRESS_DB_PASSWORD', '' ) );
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );
$table_prefix = woocommerce_home_env( 'WORDPRESS_TABLE_PREFIX', 'wp_' );

{keys}
if ( getenv( 'WORDPRESS_MU_PLUGIN_DIR' ) ) {{
	define( 'WPMU_PLUGIN_DIR', getenv( 'WORDPRESS_MU_PLUGIN_DIR' ) );
}}
if ( getenv( 'WORDPRESS_DISABLE_WP_CRON' ) ) {{
	define( 'DISABLE_WP_CRON', true );
}}
if ( getenv( 'WORDPRESS_DEBUG_LOG' ) ) {{
	define( 'WP_DEBUG', true );
	define( 'WP_DEBUG_LOG', getenv( 'WORDPRESS_DEBUG_LOG' ) );
	define( 'WP_DEBUG_DISPLAY', false );
}}
// A test site: nothing leaves this machine (WooCommerce's marketplace, tracking and update checks would
// otherwise wait for their timeouts), and nothing updates itself.
define( 'WP_HTTP_BLOCK_EXTERNAL', true );
define( 'AUTOMATIC_UPDATER_DISABLED', true );
define( 'WP_ENVIRONMENT_TYPE', 'local' );

if ( ! defined( 'ABSPATH' ) ) {{
	define( 'ABSPATH', __DIR__ . '/' );
}}
require_once ABSPATH . 'wp-settings.php';
"""
SALTS = (
    "AUTH_KEY",
    "SECURE_AUTH_KEY",
    "LOGGED_IN_KEY",
    "NONCE_KEY",
    "AUTH_SALT",
    "SECURE_AUTH_SALT",
    "LOGGED_IN_SALT",
    "NONCE_SALT",
)


class TreeMissing(Exception):
    """No usable WordPress + WooCommerce tree or PHP: the message says what is missing and where."""


@dataclass(frozen=True)
class WooCommerceTree:
    home: Path
    php: str
    wordpress: str
    woocommerce: str

    def describe(self) -> str:
        return f"WordPress {self.wordpress} + WooCommerce {self.woocommerce} at {self.home}"


def home_path(home: str | None = None) -> Path:
    return Path(home or os.environ.get(HOME_ENV) or DEFAULT_HOME)


def versions(root: Path) -> tuple[str, str]:
    """(WordPress, WooCommerce) versions of a tree, read where WordPress and the plugin header keep them."""
    try:
        core = (root / "wp-includes/version.php").read_text(errors="replace")
        plugin = (root / PLUGIN / "woocommerce.php").read_text(errors="replace")
    except FileNotFoundError as missing:
        raise TreeMissing(f"{missing.filename} not found: not a WordPress tree with WooCommerce") from None
    wordpress = re.search(r"^\$wp_version\s*=\s*'([^']+)'", core, re.M)
    woocommerce = re.search(r"^\s*\*\s*Version:\s*(\S+)", plugin, re.M)
    if not wordpress or not woocommerce:
        raise TreeMissing(f"{root}: no version in wp-includes/version.php or {PLUGIN}/woocommerce.php")
    return wordpress.group(1), woocommerce.group(1)


def check_php(php: str) -> None:
    found = shutil.which(php)
    if found is None:
        raise TreeMissing(f"PHP not found ({PHP_ENV} or `php` on the PATH; Debian: php-cli)")
    loaded = subprocess.run(
        [found, "-r", "echo implode(',', get_loaded_extensions());"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if loaded.returncode != 0:
        raise TreeMissing(f"{found} does not run: {loaded.stderr.strip()[-300:]}")
    have = {name.lower() for name in loaded.stdout.split(",")}
    missing = [package for extension, package in PHP_EXTENSIONS.items() if extension not in have]
    if missing:
        raise TreeMissing(f"PHP at {found} lacks extensions (Debian: {' '.join(sorted(set(missing)))})")


def find_tree(home: str | None = None) -> WooCommerceTree:
    """The tree and PHP the end-to-end test runs, or TreeMissing saying what was not found."""
    root = home_path(home)
    if not root.is_dir():
        raise TreeMissing(
            f"no WordPress + WooCommerce tree at {root} (set {HOME_ENV}; "
            "python -m tools.woocommerce_home SOURCE assembles one)"
        )
    if not (root / PLUGIN / "vendor/autoload.php").is_file():
        raise TreeMissing(f"{root / PLUGIN / 'vendor/autoload.php'} not found: WooCommerce is not built")
    config = root / "wp-config.php"
    if not config.is_file() or CONFIG_MARK not in config.read_text(errors="replace"):
        raise TreeMissing(
            f"{config} is not the one {CONFIG_MARK} writes (the site must be configured "
            "from the environment): run python -m tools.woocommerce_home on the tree"
        )
    php = os.environ.get(PHP_ENV) or "php"
    check_php(php)
    wordpress, woocommerce = versions(root)
    return WooCommerceTree(root, shutil.which(php) or php, wordpress, woocommerce)


def _extract(source: Path, ref: str, into: Path) -> None:
    """WordPress's root files and TAKEN, from a folder or (with a ref, or without wp-includes in the folder)
    from the git repository's commit."""
    if (source / "wp-includes").is_dir() and not ref:
        top = [p.name for p in source.iterdir() if p.is_file() and p.suffix == ".php"]
        for relative in [*top, *TAKEN]:
            origin = source / relative
            if origin.is_dir():
                shutil.copytree(origin, into / relative, symlinks=True)
            elif origin.is_file():
                (into / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(origin, into / relative)
        return
    git = ["git", f"--git-dir={source / '.git' if (source / '.git').exists() else source}"]
    commit = ref or "HEAD"
    listing = subprocess.run([*git, "ls-tree", "--name-only", commit], capture_output=True, text=True)
    if listing.returncode != 0:
        raise TreeMissing(
            f"{source} is neither a WordPress folder nor a git repository with {commit}: "
            f"{listing.stderr.strip()}"
        )
    top = [name for name in listing.stdout.split() if name.endswith(".php")]
    archive = subprocess.Popen([*git, "archive", commit, *top, *TAKEN], stdout=subprocess.PIPE)
    extracted = subprocess.run(["tar", "-x", "-C", str(into)], stdin=archive.stdout)
    if archive.wait() != 0 or extracted.returncode != 0:
        raise TreeMissing(f"git archive of {source} at {commit} failed (is {PLUGIN} in it?)")


def assemble(source: Path, ref: str, home: Path, replace: bool) -> WooCommerceTree:
    if home.exists() and not replace:
        raise TreeMissing(f"{home} exists: give --replace to put the new tree in its place")
    home.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".woocommerce-", dir=home.parent))
    try:
        _extract(source, ref, staging)
        (staging / "wp-config.php").unlink(missing_ok=True)
        if (staging / "wp-config-sample.php").exists():
            (staging / "wp-config-sample.php").unlink()
        keys = "\n".join(f"define( '{name}', '{secrets.token_hex(32)}' );" for name in SALTS)
        (staging / "wp-config.php").write_text(WP_CONFIG.format(mark=CONFIG_MARK, keys=keys))
        for folder in ("wp-content/uploads", "wp-content/themes", "wp-content/mu-plugins"):
            (staging / folder).mkdir(parents=True, exist_ok=True)
        versions(staging)  # refuses a source that is not WordPress with WooCommerce before anything moves
        if home.exists():
            shutil.rmtree(home)
        staging.rename(home)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return find_tree(str(home))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.woocommerce_home", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "source", nargs="?", type=Path, help="a built WordPress site: folder or git repository"
    )
    parser.add_argument("--ref", default="", help="the commit to take from a git repository (default HEAD)")
    parser.add_argument(
        "--home", default=None, help=f"where the tree goes ({HOME_ENV}, default {DEFAULT_HOME})"
    )
    parser.add_argument("--replace", action="store_true", help="replace a tree already there")
    parser.add_argument("--check", action="store_true", help="only say whether a usable tree is found")
    args = parser.parse_args(argv)
    try:
        if args.check or args.source is None:
            tree = find_tree(args.home)
        else:
            tree = assemble(args.source, args.ref, home_path(args.home), args.replace)
    except TreeMissing as missing:
        print(missing, file=sys.stderr)
        return 1
    print(f"{tree.describe()}, PHP {tree.php}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
