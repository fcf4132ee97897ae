package io.github.crmsync.bulksync;

import io.github.crmsync.mapping.AttributeMapping;
import io.github.crmsync.mapping.Direction;
import io.github.crmsync.mapping.MappingSet;
import io.github.crmsync.mapping.ObjectType;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A preview's count of the diff's patches: per direction and field, with the first 20 of each as before -> after. */
class PreviewTallyTest {

    private static final MappingSet MAPPINGS = MappingSet.of(
            AttributeMapping.of(ObjectType.CONTACT, "name", "Name", Direction.SALESFORCE_TO_INTERCOM),
            AttributeMapping.of(ObjectType.CONTACT, "custom_attributes.seats", "Seats__c", Direction.INTERCOM_TO_SALESFORCE),
            AttributeMapping.of(ObjectType.LEAD, "name", "Name", Direction.SALESFORCE_TO_INTERCOM));

    @Test
    void countsRecordsAndFieldsPerDirectionWithTheFirstTwentySamples() {
        PreviewTally tally = new PreviewTally();
        for (int i = 0; i < 25; i++) {
            // every contact's name changes in Intercom; every other contact's seats in Salesforce
            Map<String, Object> sf = new HashMap<>(Map.of("Name", "New " + i, "Seats__c", 1));
            Map<String, Object> ic = Map.of("name", "Old " + i, "custom_attributes", Map.of("seats", 2));
            tally.pair(ObjectType.CONTACT, "003" + i, "ic" + i, MAPPINGS, sf, ic, Map.of("name", "New " + i),
                    i % 2 == 0 ? Map.of("Seats__c", 2) : null, false);
        }
        tally.pair(ObjectType.LEAD, "00Q1", "ic-lead", MAPPINGS, Map.of("Name", "Ann"), Map.of("name", "Ann"), null, null, false);
        tally.pair(ObjectType.LEAD, "00Q2", "ic-lead2", MAPPINGS, Map.of(), Map.of(), null, null, true);

        BulkEstimate.Cost cost = new BulkEstimate.Cost(5, 4, 1, "COLLECTIONS", 30, 5, 25);
        BulkEstimate.Duration duration = new BulkEstimate.Duration(3, 2, 1, 0.2, 10, "NONE", 1666);
        BulkPreviewFigures f = tally.figures(3, cost, duration);
        assertThat(f.pairsInCommon()).isEqualTo(27);
        assertThat(f.ambiguousMatches()).isEqualTo(3);
        assertThat(f.unchanged()).isEqualTo(1);
        assertThat(f.failing()).isEqualTo(1);
        assertThat(tally.intercomWrites()).isEqualTo(25);
        assertThat(tally.salesforceByObject()).isEqualTo(Map.of(ObjectType.CONTACT, 13L));

        BulkPreviewFigures.DirectionFigures toIntercom = f.directions().get(0);
        assertThat(toIntercom.direction()).isEqualTo("SALESFORCE_TO_INTERCOM");
        assertThat(toIntercom.records()).isEqualTo(25);
        assertThat(toIntercom.fields()).hasSize(1);
        BulkPreviewFigures.FieldFigures name = toIntercom.fields().get(0);
        assertThat(List.of(name.objectType(), name.field(), name.sourceField())).containsExactly("CONTACT", "name", "Name");
        assertThat(name.records()).isEqualTo(25);
        assertThat(name.samples()).hasSize(20);
        assertThat(name.samples().get(3)).isEqualTo(new BulkPreviewFigures.Sample("0033", "ic3", "Old 3", "New 3"));

        BulkPreviewFigures.DirectionFigures toSalesforce = f.directions().get(1);
        assertThat(toSalesforce.direction()).isEqualTo("INTERCOM_TO_SALESFORCE");
        assertThat(toSalesforce.records()).isEqualTo(13);
        BulkPreviewFigures.FieldFigures seats = toSalesforce.fields().get(0);
        assertThat(List.of(seats.field(), seats.sourceField())).containsExactly("Seats__c", "custom_attributes.seats");
        assertThat(seats.records()).isEqualTo(13);
        assertThat(seats.samples()).hasSize(13);
        assertThat(seats.samples().get(0)).isEqualTo(new BulkPreviewFigures.Sample("0030", "ic0", "1", "2"));
        assertThat(f.cost()).isEqualTo(cost);
        assertThat(f.duration()).isEqualTo(duration);
    }

    @Test
    void nothingToWriteGivesBothDirectionsWithNoRecords() {
        BulkPreviewFigures f = new PreviewTally().figures(0, null, null);
        assertThat(f.directions()).extracting(BulkPreviewFigures.DirectionFigures::records).containsExactly(0L, 0L);
        assertThat(f.directions()).allSatisfy(d -> assertThat(d.fields()).isEmpty());
    }
}
