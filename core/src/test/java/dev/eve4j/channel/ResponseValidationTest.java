package dev.eve4j.channel;

import static dev.eve4j.channel.J.o;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Responses are checked against the interaction they answer, before anything is stored. */
class ResponseValidationTest {
  private static final JsonObject APPROVAL = o("{'type':'approval','prompt':'Send this quote?','editables':["
      + "{'id':'total','type':'currency','value':1500},{'id':'deposit','type':'choice','value':'50','options':["
      + "{'id':'50','label':'50%'},{'id':'25','label':'25%'}]},{'id':'date','type':'date','value':'2026-06-20'},"
      + "{'id':'note','type':'text','value':'hi'},{'id':'n','type':'number','value':2}]}");
  private static final JsonObject STRICT = o("{'type':'approval','prompt':'p','reasonRequired':true}");
  private static final JsonObject GATE = o("{'type':'approval','prompt':'Proceed?','rejectable':false}");
  private static final JsonObject CHOICE = o("{'type':'choice','prompt':'p','options':[{'id':'sat-10am','label':'10'},"
      + "{'id':'sat-2pm','label':'2'}]}");
  private static final JsonObject CUSTOM = o("{'type':'choice','prompt':'p','allowCustom':true,'options':[{'id':'a',"
      + "'label':'A'}]}");
  private static final JsonObject CHECKLIST = o("{'type':'checklist','prompt':'p','options':[{'id':'session','label':"
      + "'S','checked':true},{'id':'travel','label':'T'}]}");
  private static final JsonObject TEXT = o("{'type':'text_input','prompt':'p'}");
  private static final JsonObject QUESTIONS = o("{'type':'questions','prompt':'p','questions':[{'id':'date','question':"
      + "'Which?','options':[{'id':'sat','label':'Sat'},{'id':'sun','label':'Sun'}]},{'id':'extras','question':'Any?',"
      + "'multiSelect':true,'options':[{'id':'cake','label':'Cake'},{'id':'av','label':'AV'}]},{'id':'strict',"
      + "'question':'Q','allowOther':false,'options':[{'id':'x','label':'X'},{'id':'y','label':'Y'}]}]}");

  private static List<String> check(JsonObject interaction, String response) {
    return PayloadValidator.respond(interaction, o("{'response':" + response + "}")).lines();
  }

  private static void ok(JsonObject interaction, String response) {
    assertEquals(List.of(), check(interaction, response));
  }

  @Test
  void approval() {
    ok(APPROVAL, "{'action':'approved'}");
    ok(APPROVAL, "{'action':'rejected','reason':'too dear'}");
    ok(APPROVAL, "{'action':'rejected'}");
    ok(APPROVAL, "{'action':'approved','edits':{'total':1700,'deposit':'25','date':'2026-07-01','note':'x','n':3.5}}");
    assertEquals(List.of("response.action: Invalid enum value. Expected 'approved' | 'rejected', received 'maybe'"),
        check(APPROVAL, "{'action':'maybe'}"));
    assertEquals(List.of("response.action: Required"), check(APPROVAL, "{}"));
    assertEquals(List.of("response.reason: A reason is only sent with a rejection"),
        check(APPROVAL, "{'action':'approved','reason':'x'}"));
    assertEquals(List.of("response.edits: Edits are only sent with an approval"),
        check(APPROVAL, "{'action':'rejected','edits':{'total':1}}"));
    assertEquals(List.of("response.extra: Unknown field for this interaction's response"),
        check(APPROVAL, "{'action':'approved','extra':1}"));
  }

  @Test
  void editsAreCheckedAgainstTheirEditables() {
    assertEquals(List.of("response.edits.total: Expected number, received string",
        "response.edits.deposit: Invalid option '10'. Expected '25' | '50'",
        "response.edits.date: Invalid date: expected YYYY-MM-DD",
        "response.edits.note: Expected string, received number",
        "response.edits.ghost: Unknown editable. Expected 'date' | 'deposit' | 'n' | 'note' | 'total'"),
        check(APPROVAL, "{'action':'approved','edits':{'total':'1700','deposit':'10','date':'20260701','note':5,"
            + "'ghost':1}}"));
    assertEquals(List.of("response.edits.total: This approval declares no editables"),
        check(STRICT, "{'action':'approved','edits':{'total':1}}"));
  }

  @Test
  void unchangedEditsAreDropped() {
    JsonObject n = PayloadValidator.normalize(APPROVAL, o("{'action':'approved','edits':{'total':1500.0,'deposit':"
        + "'25','date':'2026-06-20'}}"));
    assertEquals(o("{'action':'approved','edits':{'deposit':'25'}}"), n);
    assertEquals(o("{'action':'approved'}"), PayloadValidator.normalize(APPROVAL, o("{'action':'approved','edits':"
        + "{'total':1500}}")));
  }

  @Test
  void reasonRequiredAndRejectable() {
    assertEquals(List.of("response.reason: Required: this approval asks for a reason on rejection (reasonRequired: "
        + "true)"), check(STRICT, "{'action':'rejected','reason':'  '}"));
    ok(STRICT, "{'action':'rejected','reason':'no'}");
    assertEquals(List.of("response.action: This approval cannot be rejected (rejectable: false)"),
        check(GATE, "{'action':'rejected'}"));
    ok(GATE, "{'action':'approved'}");
  }

  @Test
  void choice() {
    ok(CHOICE, "{'selected':'sat-10am'}");
    ok(CHOICE, "{'selected':'sat-2pm','customValue':null}");
    assertEquals(List.of("response.selected: Invalid option 'sun'. Expected 'sat-10am' | 'sat-2pm'"),
        check(CHOICE, "{'selected':'sun'}"));
    assertEquals(List.of("response.customValue: This choice does not allow a custom value (allowCustom is not true)"),
        check(CHOICE, "{'selected':null,'customValue':'3pm'}"));
    assertEquals(List.of("response.selected: Required"), check(CHOICE, "{}"));
    ok(CUSTOM, "{'selected':null,'customValue':'Tuesday'}");
    assertEquals(List.of("response.customValue: Send either selected or customValue, not both"),
        check(CUSTOM, "{'selected':'a','customValue':'b'}"));
    assertEquals(o("{'selected':'a','customValue':null}"), PayloadValidator.normalize(CUSTOM, o("{'selected':'a'}")));
  }

  @Test
  void checklist() {
    ok(CHECKLIST, "{'selected':['session','travel']}");
    ok(CHECKLIST, "{'selected':[]}");
    assertEquals(List.of("response.selected[1]: Invalid option 'food'. Expected 'session' | 'travel'",
        "response.selected[2]: Duplicate option 'session'"),
        check(CHECKLIST, "{'selected':['session','food','session']}"));
    assertEquals(List.of("response.selected: Expected array, received string"), check(CHECKLIST, "{'selected':'x'}"));
  }

  @Test
  void textInput() {
    ok(TEXT, "{'text':'Quote them $400'}");
    assertEquals(List.of("response.text: Must not be empty"), check(TEXT, "{'text':' '}"));
    assertEquals(List.of("response.text: Required"), check(TEXT, "{}"));
  }

  @Test
  void questions() {
    ok(QUESTIONS, "{'answers':[{'questionId':'date','selected':['sat']},{'questionId':'extras',"
        + "'selected':['cake','av'],"
        + "'other':'balloons'},{'questionId':'strict','selected':['y']}]}");
    ok(QUESTIONS, "{'answers':[{'questionId':'date','selected':[],'other':'Monday'},{'questionId':'extras','selected':"
        + "['av']},{'questionId':'strict','selected':['x']}]}");
    assertEquals(List.of(
        "response.answers[0].selected: Question 'date' is single-select: choose at most one option",
        "response.answers[1].selected[0]: Invalid option 'pony'. Expected 'av' | 'cake'",
        "response.answers[2].other: Question 'strict' does not allow Other (allowOther: false)",
        "response.answers[3].questionId: Question 'date' is answered twice",
        "response.answers[4].questionId: Unknown question. Expected 'date' | 'extras' | 'strict'"),
        check(QUESTIONS, "{'answers':[{'questionId':'date','selected':['sat','sun']},{'questionId':'extras','selected':"
            + "['pony']},{'questionId':'strict','selected':['x'],'other':'z'},{'questionId':'date','selected':['sat']},"
            + "{'questionId':'nope','selected':[]}]}"));
    assertEquals(List.of("response.answers[0].selected: Choose an option or fill in other",
        "response.answers: Missing an answer for question 'extras'",
        "response.answers: Missing an answer for question 'strict'"),
        check(QUESTIONS, "{'answers':[{'questionId':'date','selected':[]}]}"));
  }

  @Test
  void theBodyMustCarryAResponseObject() {
    assertEquals(List.of("response: Required"), PayloadValidator.respond(TEXT, o("{'text':'hi'}")).lines());
    assertTrue(PayloadValidator.respond(TEXT, o("{'response':{'text':'hi'}}")).valid());
  }
}
