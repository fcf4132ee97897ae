package io.github.crmsync.sandbox.salesforce;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The fields of Contact and Lead as a real org describes them (standard fields plus the custom
 * fields the seed fills), used for describe, SOQL validation and write validation.
 */
final class SObjectSchema {

    /** How values of a field are held and compared. */
    enum Kind { ID, TEXT, BOOLEAN, NUMBER, DATE, DATETIME }

    record Field(String name, String label, String type, int length, int precision, int scale,
                 boolean createable, boolean updateable, boolean nillable, boolean custom,
                 boolean restrictedPicklist, List<String> picklistValues) {

        Kind kind() {
            return switch (type) {
                case "id" -> Kind.ID;
                case "boolean" -> Kind.BOOLEAN;
                case "double", "currency", "percent", "int" -> Kind.NUMBER;
                case "date" -> Kind.DATE;
                case "datetime" -> Kind.DATETIME;
                default -> Kind.TEXT;
            };
        }

        boolean textual() {
            return kind() == Kind.TEXT || kind() == Kind.ID;
        }
    }

    static final List<String> PLANS = List.of("Free", "Pro", "Team", "Enterprise");
    static final List<String> LEAD_SOURCES = List.of("Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other");
    static final List<String> LEAD_STATUSES = List.of("Open - Not Contacted", "Working - Contacted",
            "Closed - Converted", "Closed - Not Converted");

    static final SObjectSchema CONTACT = new SObjectSchema("Contact", "Contact", "Contacts", "003", false);
    static final SObjectSchema LEAD = new SObjectSchema("Lead", "Lead", "Leads", "00Q", true);

    final String name;
    final String label;
    final String labelPlural;
    final String keyPrefix;
    private final List<Field> fields;
    private final Map<String, Field> byLowerName;

    private SObjectSchema(String name, String label, String labelPlural, String keyPrefix, boolean lead) {
        this.name = name;
        this.label = label;
        this.labelPlural = labelPlural;
        this.keyPrefix = keyPrefix;
        List<Field> f = new ArrayList<>();
        f.add(new Field("Id", label + " ID", "id", 18, 0, 0, false, false, false, false, false, List.of()));
        f.add(system("IsDeleted", "Deleted", "boolean", 0));
        f.add(text("LastName", "Last Name", "string", 80, false));
        f.add(text("FirstName", "First Name", "string", 40, true));
        f.add(new Field("Name", "Full Name", "string", 121, 0, 0, false, false, false, false, false, List.of()));
        f.add(text("Title", "Title", "string", 128, true));
        if (lead) {
            f.add(text("Company", "Company", "string", 255, false));
        }
        f.add(text("Phone", lead ? "Phone" : "Business Phone", "phone", 40, true));
        f.add(text("MobilePhone", "Mobile Phone", "phone", 40, true));
        f.add(text("Email", "Email", "email", 80, true));
        f.add(picklist("LeadSource", "Lead Source", false, LEAD_SOURCES, false));
        if (lead) {
            f.add(new Field("Status", "Status", "picklist", 255, 0, 0, true, true, false, false, false, LEAD_STATUSES));
        }
        f.add(text("Description", lead ? "Description" : "Contact Description", "textarea", 32000, true));
        f.add(system("CreatedDate", "Created Date", "datetime", 0));
        f.add(system("LastModifiedDate", "Last Modified Date", "datetime", 0));
        f.add(system("SystemModstamp", "System Modstamp", "datetime", 0));
        f.add(picklist("Plan__c", "Plan", true, PLANS, true));
        f.add(new Field("Newsletter__c", "Newsletter", "boolean", 0, 0, 0, true, true, false, true, false, List.of()));
        f.add(custom("Renewal_Date__c", "Renewal Date", "date", 0, 0, 0));
        f.add(custom("Last_Login__c", "Last Login", "datetime", 0, 0, 0));
        f.add(custom("Seats__c", "Seats", "double", 0, 18, 0));
        f.add(custom("ARR__c", "ARR", "currency", 0, 18, 2));
        f.add(custom("Health_Score__c", "Health Score", "percent", 0, 5, 2));
        f.add(custom("Support_Email__c", "Support Email", "email", 80, 0, 0));
        f.add(custom("Support_Phone__c", "Support Phone", "phone", 40, 0, 0));
        f.add(custom("Nickname__c", "Nickname", "string", 40, 0, 0));
        f.add(custom("Notes__c", "Notes", "textarea", 255, 0, 0));
        this.fields = Collections.unmodifiableList(f);
        Map<String, Field> map = new LinkedHashMap<>();
        for (Field field : f) {
            map.put(field.name().toLowerCase(Locale.ROOT), field);
        }
        this.byLowerName = map;
    }

    static SObjectSchema forName(String type) {
        if (type == null) {
            return null;
        }
        if (type.equalsIgnoreCase("Contact")) {
            return CONTACT;
        }
        if (type.equalsIgnoreCase("Lead")) {
            return LEAD;
        }
        return null;
    }

    static SObjectSchema forKeyPrefix(String id) {
        if (id == null || id.length() < 3) {
            return null;
        }
        return switch (id.substring(0, 3)) {
            case "003" -> CONTACT;
            case "00Q" -> LEAD;
            default -> null;
        };
    }

    List<Field> fields() {
        return fields;
    }

    /** Case-insensitive lookup, as SOQL and the REST API resolve field names. */
    Field field(String apiName) {
        return apiName == null ? null : byLowerName.get(apiName.toLowerCase(Locale.ROOT));
    }

    /** The describe result for this object, shaped like {@code GET /sobjects/{type}/describe}. */
    Map<String, Object> describe(String versionPath) {
        return describe(versionPath, (field, value) -> false);
    }

    /** The same, with the picklist values an admin deactivated shown {@code "active": false}. */
    Map<String, Object> describe(String versionPath, java.util.function.BiPredicate<String, String> inactive) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("actionOverrides", List.of());
        d.put("activateable", false);
        d.put("childRelationships", List.of());
        d.put("compactLayoutable", true);
        d.put("createable", true);
        d.put("custom", false);
        d.put("customSetting", false);
        d.put("deletable", true);
        d.put("deprecatedAndHidden", false);
        d.put("feedEnabled", true);
        List<Map<String, Object>> fieldList = new ArrayList<>();
        for (Field f : fields) {
            fieldList.add(describeField(f, inactive));
        }
        d.put("fields", fieldList);
        d.put("keyPrefix", keyPrefix);
        d.put("label", label);
        d.put("labelPlural", labelPlural);
        d.put("layoutable", true);
        d.put("mergeable", true);
        d.put("mruEnabled", true);
        d.put("name", name);
        d.put("namedLayoutInfos", List.of());
        d.put("networkScopeFieldName", null);
        d.put("queryable", true);
        d.put("recordTypeInfos", List.of());
        d.put("replicateable", true);
        d.put("retrieveable", true);
        d.put("searchable", true);
        d.put("supportedScopes", List.of());
        d.put("triggerable", true);
        d.put("undeletable", true);
        d.put("updateable", true);
        String base = versionPath + "/sobjects/" + name;
        Map<String, Object> urls = new LinkedHashMap<>();
        urls.put("compactLayouts", base + "/describe/compactLayouts");
        urls.put("rowTemplate", base + "/{ID}");
        urls.put("describe", base + "/describe");
        urls.put("sobject", base);
        d.put("urls", urls);
        return d;
    }

    private Map<String, Object> describeField(Field f, java.util.function.BiPredicate<String, String> inactive) {
        Map<String, Object> m = new LinkedHashMap<>();
        boolean picklist = f.type().equals("picklist");
        m.put("aggregatable", !f.type().equals("textarea"));
        m.put("autoNumber", false);
        m.put("byteLength", f.textual() ? f.length() * 3 : 0);
        m.put("calculated", false);
        m.put("caseSensitive", false);
        m.put("createable", f.createable());
        m.put("custom", f.custom());
        m.put("defaultValue", f.type().equals("boolean") && f.custom() ? Boolean.FALSE : null);
        m.put("defaultedOnCreate", f.type().equals("boolean") || f.name().equals("Id")
                || f.name().endsWith("Date") && !f.custom() || f.name().equals("SystemModstamp"));
        m.put("dependentPicklist", false);
        m.put("digits", 0);
        m.put("externalId", false);
        m.put("filterable", !f.type().equals("textarea"));
        m.put("groupable", !f.type().equals("textarea") && !f.kind().equals(Kind.NUMBER) && !f.kind().equals(Kind.DATETIME));
        m.put("htmlFormatted", false);
        m.put("idLookup", f.name().equals("Id") || f.name().equals("Email"));
        m.put("inlineHelpText", null);
        m.put("label", f.label());
        m.put("length", f.textual() ? f.length() : 0);
        m.put("name", f.name());
        m.put("nameField", f.name().equals("Name"));
        m.put("namePointing", false);
        m.put("nillable", f.nillable());
        m.put("permissionable", f.nillable() && f.updateable());
        List<Map<String, Object>> values = new ArrayList<>();
        for (String v : f.picklistValues()) {
            Map<String, Object> pv = new LinkedHashMap<>();
            pv.put("active", !inactive.test(f.name(), v));
            pv.put("defaultValue", false);
            pv.put("label", v);
            pv.put("validFor", null);
            pv.put("value", v);
            values.add(pv);
        }
        m.put("picklistValues", values);
        m.put("precision", f.precision());
        m.put("referenceTo", List.of());
        m.put("relationshipName", null);
        m.put("restrictedPicklist", f.restrictedPicklist());
        m.put("scale", f.scale());
        m.put("soapType", soapType(f));
        m.put("sortable", !f.type().equals("textarea"));
        m.put("type", f.type());
        m.put("unique", false);
        m.put("updateable", f.updateable());
        return m;
    }

    private static String soapType(Field f) {
        return switch (f.type()) {
            case "id" -> "tns:ID";
            case "boolean" -> "xsd:boolean";
            case "double", "currency", "percent" -> "xsd:double";
            case "date" -> "xsd:date";
            case "datetime" -> "xsd:dateTime";
            default -> "xsd:string";
        };
    }

    private static Field text(String name, String label, String type, int length, boolean nillable) {
        return new Field(name, label, type, length, 0, 0, true, true, nillable, false, false, List.of());
    }

    private static Field system(String name, String label, String type, int length) {
        return new Field(name, label, type, length, 0, 0, false, false, false, false, false, List.of());
    }

    private static Field picklist(String name, String label, boolean custom, List<String> values, boolean restricted) {
        return new Field(name, label, "picklist", 255, 0, 0, true, true, true, custom, restricted, values);
    }

    private static Field custom(String name, String label, String type, int length, int precision, int scale) {
        return new Field(name, label, type, length, precision, scale, true, true, true, true, false, List.of());
    }
}
