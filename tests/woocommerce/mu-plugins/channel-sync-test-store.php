<?php
/**
 * Plugin Name: channel-sync test store
 * Description: What the test store needs that a real one does not.
 *
 * The store delivers its webhooks to `channel-sync serve` on this machine (127.0.0.1, the store's own
 * host), at a port WordPress's safe-URL check refuses: it allows 80, 443 and 8080 only
 * (wp_http_validate_url). A real store delivers to channel-sync's public https URL and needs none of this.
 */

add_filter(
	'http_allowed_safe_ports',
	function ( $ports, $host, $url ) {
		$port = wp_parse_url( $url, PHP_URL_PORT );
		if ( '127.0.0.1' === $host && $port ) {
			$ports[] = (int) $port;
		}
		return $ports;
	},
	10,
	3
);

// No mail leaves the test store (there is no mail server here): WordPress's and WooCommerce's e-mails are
// taken as sent.
add_filter( 'pre_wp_mail', '__return_true' );
