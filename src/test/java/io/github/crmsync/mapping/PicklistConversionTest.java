package io.github.crmsync.mapping;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static io.github.crmsync.mapping.MappingFixtures.attribute;
import static io.github.crmsync.mapping.ValueConverterTest.assertConverted;

/**
 * Picklists from Intercom text: restricted ones accept only their active values, unrestricted ones
 * anything; a known value is written in the picklist's own spelling either way.
 */
class PicklistConversionTest {

    private static final IntercomAttribute TEXT = attribute("channels", IntercomDataType.STRING);

    private final ValueConverter converter = new ValueConverter();

    @ParameterizedTest(name = "[{index}] {0} restricted={1}: \"{2}\" → {3}")
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
            "picklist      | true  | Chat              | Chat",
            "picklist      | true  | chat              | Chat",
            "picklist      | true  | Fax               | INVALID_PICKLIST_VALUE",
            "picklist      | true  | Chat;Email        | INVALID_PICKLIST_VALUE",
            "picklist      | false | Fax               | Fax",
            "picklist      | false | chat              | Chat",
            "picklist      | false | ''                | NULL",
            "multipicklist | true  | Email;Chat        | Email;Chat",
            "multipicklist | true  | email; chat       | Email;Chat",
            "multipicklist | true  | Email;;Phone      | Email;Phone",
            "multipicklist | true  | Email;Fax         | INVALID_PICKLIST_VALUE",
            "multipicklist | true  | ' ; '             | NULL",
            "multipicklist | false | Email;Fax         | Email;Fax",
            "multipicklist | false | email;chat        | Email;Chat",
            "combobox      | true  | Anything at all   | Anything at all",
    })
    void picklistFromIntercomText(String type, boolean restricted, String in, String expected) {
        SalesforceField field = new SalesforceField("Channels__c", "Channels", SalesforceFieldType.fromDescribe(type),
                255, 0, 0, true, true, restricted, List.of("Email", "Phone", "Chat"));
        Object want = expected != null && expected.equals("INVALID_PICKLIST_VALUE")
                ? ConversionErrorCode.INVALID_PICKLIST_VALUE : expected;
        assertConverted(converter.toSalesforce(field, TEXT, in), want);
    }
}
