import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

function openMenu(section, item) {
    return [
        {
            content: `Open the ${section} menu`,
            trigger: `.o_menu_sections button:contains('${section}'), .o_menu_sections a:contains('${section}')`,
            async run({ queryFirst, click }) {
                // Click until the dropdown is open: a re-render of the menu bar may close it once.
                const toggle = queryFirst(
                    `.o_menu_sections button:contains('${section}'), .o_menu_sections a:contains('${section}')`
                );
                for (let attempt = 0; attempt < 5 && !document.querySelector(".o-dropdown--menu"); attempt++) {
                    await click(toggle);
                    await new Promise((resolve) => setTimeout(resolve, 200));
                }
            },
        },
        {
            content: `Choose ${item}`,
            trigger: `.o-dropdown--menu .dropdown-item:contains('${item}')`,
            run: "click",
        },
    ];
}

// A manager's round of the configuration screens; relies on tests/test_tour.py's data
// (the "Paid web orders" rule, the distributor "TD SYNNEX UK").
registry.category("web_tour.tours").add("channel_fulfilment_config_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("channel_fulfilment.menu_root", "Open the Orders Inbox"),
        {
            // Opening a menu while the inbox is still rendering would close it again.
            content: "Wait for the inbox to be shown",
            trigger: ".o_kanban_view .o_kanban_record:contains('Tour Customer Ltd')",
        },
        ...openMenu("Configuration", "Rules"),
        {
            content: "Open the rule",
            trigger: ".o_list_view .o_data_row:contains('Paid web orders') td[name='name']",
            run: "click",
        },
        {
            content: "The rule form shows its conditions",
            trigger: ".o_form_view .o_field_widget[name='min_margin_percent'] input",
        },
        ...openMenu("Configuration", "Settings"),
        {
            content: "The Orders Inbox settings are there",
            trigger: ".app_settings_block[data-key='channel_fulfilment'] #channel_realtime_check",
        },
        ...openMenu("Distributors", "Distributors"),
        {
            content: "Open a distributor",
            trigger: ".o_list_view .o_data_row:contains('TD SYNNEX UK') td[name='name']",
            run: "click",
        },
        {
            content: "Open its Distributor tab",
            trigger: ".o_form_view .o_notebook a.nav-link:contains('Distributor')",
            run: "click",
        },
        {
            content: "The manager edits the distributor settings",
            trigger: ".o_form_view .o_field_widget[name='engine_id'] input",
        },
        ...openMenu("Distributors", "Distributor stock"),
        {
            content: "Vendor lines show the distributor stock",
            trigger: ".o_list_view th[data-name='distributor_stock']",
        },
        {
            content: "Open the purchase orders",
            trigger: ".o_menu_sections a:contains('Purchase orders'), .o_menu_sections button:contains('Purchase orders')",
            run: "click",
        },
        {
            content: "The purchase order list shows the send state",
            trigger: ".o_list_view th[data-name='channel_send_state']",
        },
        {
            content: "Open the cXML documents",
            trigger: ".o_menu_sections a:contains('cXML documents'), .o_menu_sections button:contains('cXML documents')",
            run: "click",
        },
        {
            content: "The cXML log is listed",
            trigger: ".o_list_view th[data-name='payload_id']",
        },
    ],
});
